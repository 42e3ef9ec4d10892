/**
 * What a counter is worth keeping, in the order they are evicted when a kind is full:
 * plain windows (per-IP limits, reset mail) first, then failed-login counts below the
 * free attempts, and last the keys that block an email or count the failures behind a
 * block. Failures on many other emails then evict each other, not an account's throttle.
 */
const Tier = { Counter: 0, Failures: 1, Blocking: 2 };
const TIERS = [Tier.Counter, Tier.Failures, Tier.Blocking];
/** The wait after the `count`-th attempt: none within the free attempts, then 1 s, 2 s, 4 s … */
function delayAfter(count, rule) {
    const excess = count - rule.freeAttempts;
    return excess < 0 ? 0 : Math.min(2 ** Math.min(excess, 30) * 1000, rule.maxDelayMs);
}
// A full kind first drops what has expired, at most this often (a scan of the whole kind).
const SWEEP_WHEN_FULL_EVERY_MS = 1000;
/**
 * At most `maxKeysPerKind` counters of each kind (the text before the first ":": per-IP
 * windows, throttle, reset mail). A kind that is full drops its expired keys, then evicts
 * the least recently written key of the lowest tier. A flood of cheap requests from many
 * addresses thus evicts only other per-IP counters, and failures on many emails never an
 * account's block or the count behind it.
 */
export function createMemoryStore(maxKeysPerKind = 100_000, now = Date.now) {
    const kinds = new Map();
    const kindOf = (key) => {
        const name = key.slice(0, key.indexOf(':'));
        let kind = kinds.get(name);
        if (kind === undefined) {
            kind = { tiers: [new Map(), new Map(), new Map()], size: 0, sweptAt: 0 };
            kinds.set(name, kind);
        }
        return kind;
    };
    const drop = (kind, key) => {
        for (const tier of kind.tiers)
            if (tier.delete(key))
                kind.size -= 1;
    };
    const live = (key) => {
        const kind = kindOf(key);
        for (const tier of kind.tiers) {
            const entry = tier.get(key);
            if (entry === undefined)
                continue;
            if (entry.expiresAt > now())
                return entry;
            drop(kind, key);
            return undefined;
        }
        return undefined;
    };
    const sweep = (kind, t) => {
        for (const tier of kind.tiers) {
            for (const [key, entry] of tier) {
                if (entry.expiresAt > t)
                    continue;
                tier.delete(key);
                kind.size -= 1;
            }
        }
        kind.sweptAt = t;
    };
    const evictOne = (kind) => {
        const t = now();
        if (t - kind.sweptAt >= SWEEP_WHEN_FULL_EVERY_MS)
            sweep(kind, t);
        if (kind.size <= maxKeysPerKind)
            return;
        for (const tier of TIERS) {
            const oldest = kind.tiers[tier].keys().next();
            if (oldest.done === true)
                continue;
            kind.tiers[tier].delete(oldest.value);
            kind.size -= 1;
            return;
        }
    };
    const set = (key, entry, tier) => {
        const kind = kindOf(key);
        drop(kind, key); // re-insert: each map's order is then the order of last write
        kind.tiers[tier].set(key, entry);
        kind.size += 1;
        if (kind.size > maxKeysPerKind)
            evictOne(kind);
    };
    const timer = setInterval(() => {
        const t = now();
        for (const kind of kinds.values())
            sweep(kind, t);
    }, 60_000).unref();
    return {
        async increment(key, windowMs, extend = false) {
            const entry = live(key);
            const t = now();
            const next = { count: (entry?.count ?? 0) + 1, expiresAt: entry === undefined || extend ? t + windowMs : entry.expiresAt };
            set(key, next, Tier.Counter);
            return { count: next.count, resetInMs: next.expiresAt - t };
        },
        async reserveAttempt(attemptsKey, blockKey, rule) {
            const t = now();
            const blocked = live(blockKey);
            if (blocked !== undefined)
                return { waitMs: blocked.expiresAt - t, count: live(attemptsKey)?.count ?? 0, blockMs: 0 };
            const count = (live(attemptsKey)?.count ?? 0) + 1;
            const blockMs = delayAfter(count, rule);
            set(attemptsKey, { count, expiresAt: t + rule.forgetMs }, blockMs > 0 ? Tier.Blocking : Tier.Failures);
            if (blockMs > 0)
                set(blockKey, { count: 1, expiresAt: t + blockMs }, Tier.Blocking);
            return { waitMs: 0, count, blockMs };
        },
        mirror(key, count, ttlMs) {
            if (ttlMs > 0)
                set(key, { count, expiresAt: now() + ttlMs }, Tier.Blocking);
        },
        async remove(...keys) { for (const key of keys)
            drop(kindOf(key), key); },
        async ping() { },
        async close() {
            clearInterval(timer);
            kinds.clear();
        }
    };
}
