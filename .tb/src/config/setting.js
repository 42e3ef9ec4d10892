// One environment variable: how it is read, its default and range, and what it means.
// settings.ts lists them all; loadConfig(), `authsvc --help` and docs/configuration.md
// are made from that one list, so they cannot disagree.
export const GROUPS = {
    server: 'Server',
    database: 'Database',
    mail: 'Mail and the outbox',
    sessions: 'Sessions, tokens and verification',
    passwords: 'Passwords and hashing',
    limits: 'Abuse limits',
    http: 'HTTP, proxies and origins',
    observability: 'Metrics and audit',
    security: 'Secrets at rest',
    pages: 'Hosted pages'
};
const code = (value) => `\`${value}\``;
const shown = (doc, fallback) => doc.shownDefault ?? (fallback === null ? '–' : `${code(String(fallback))}${doc.defaultNote === undefined ? '' : ` ${doc.defaultNote}`}`);
const withNote = (range, doc) => doc.rangeNote === undefined ? range : `${range} ${doc.rangeNote}`;
/** 3600000 → "3,600,000"; up to five digits stay as they are, as in "0–65535". */
export const formatNumber = (n) => n < 100_000 ? String(n) : n.toLocaleString('en-US');
/** A whole number from min to max; null as the default means "set by another setting". */
export function integer(options) {
    const { min, max } = options;
    return {
        ...options,
        shownDefault: shown(options, options.default),
        defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
        range: withNote(`${formatNumber(min)}–${formatNumber(max)}`, options),
        parse: (raw, name, report) => {
            if (raw === null)
                return options.default;
            if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
                report(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`);
                return options.default;
            }
            return Number(raw);
        }
    };
}
const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];
/** true/false (also 1/0, yes/no, on/off); null as the default means "set by another setting". */
export function boolean(options) {
    return {
        ...options,
        shownDefault: shown(options, options.default),
        defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
        range: withNote('`true`, `false`', options),
        parse: (raw, name, report) => {
            if (raw === null)
                return options.default;
            const value = raw.trim().toLowerCase();
            if (TRUE.includes(value))
                return true;
            if (FALSE.includes(value))
                return false;
            report(`${name} must be true or false (got ${JSON.stringify(raw)})`);
            return options.default;
        }
    };
}
/** One of a few words. */
export function oneOf(options) {
    return {
        ...options,
        shownDefault: shown(options, options.default),
        defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
        range: withNote(options.allowed.map(code).join(', '), options),
        parse: (raw, name, report) => {
            if (raw === null)
                return options.default;
            if (options.allowed.includes(raw))
                return raw;
            report(`${name} must be one of ${options.allowed.join(', ')} (got ${JSON.stringify(raw)})`);
            return options.default;
        }
    };
}
/** A URL with one of the schemes given ('https:' …); kept as written. */
export function url(options) {
    const { protocols } = options;
    return {
        ...options,
        shownDefault: shown(options, null),
        defaultValue: null,
        range: withNote(`${protocols.map(code).join(' or ')} URL`, options),
        parse: (raw, name, report) => parseUrl(raw, name, report, protocols)
    };
}
export function parseUrl(raw, name, report, protocols) {
    if (raw === null)
        return null;
    try {
        if (protocols.includes(new URL(raw).protocol))
            return raw;
    }
    catch {
        // reported below, like a URL with the wrong scheme
    }
    report(`${name} must be a URL starting with ${protocols.map(p => `${p}//`).join(' or ')} (got ${JSON.stringify(raw)})`);
    return null;
}
/** Any text; `maxLength` keeps that many characters. */
export function text(options) {
    return {
        ...options,
        shownDefault: shown(options, options.default),
        defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
        range: options.range,
        parse: raw => raw === null ? options.default : raw.slice(0, options.maxLength ?? raw.length)
    };
}
/** A value with a parser of its own (parsers.ts). */
export function custom(options) {
    return { ...options, defaultValue: options.defaultValue ?? null };
}
