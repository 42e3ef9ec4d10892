class LazyChildLogger {
    parent;
    bindings;
    options;
    #child;
    constructor(parent, bindings, options) {
        this.parent = parent;
        this.bindings = bindings;
        this.options = options;
    }
    get logger() {
        this.#child ??= this.parent.child(this.bindings, this.options);
        return this.#child;
    }
    get level() { return this.#child?.level ?? this.options.level ?? this.parent.level; }
    set level(level) { this.logger.level = level; }
    child(bindings, options) {
        return this.logger.child(bindings, options);
    }
}
// Each level method forwards to the real child, made on the first call.
for (const method of ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) {
    Object.defineProperty(LazyChildLogger.prototype, method, {
        value: function (...args) {
            this.logger[method](...args);
        }
    });
}
/** Fastify's `childLoggerFactory` option. */
export function lazyChildLogger(logger, bindings, options) {
    return new LazyChildLogger(logger, bindings, options);
}
