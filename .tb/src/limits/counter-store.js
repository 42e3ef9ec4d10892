import { createMemoryStore } from './memory-store.js';
// INCR and its expiry in one step, so no counter is ever left without a TTL.
const INCREMENT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 or ARGV[2] == '1' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
`;
// reserveAttempt() in one step: what the memory store does, with delayAfter() in Lua.
// Returns {wait, count, block}: the caller mirrors blocks in memory (createFallbackStore).
const RESERVE_SCRIPT = `
local wait = redis.call('PTTL', KEYS[2])
if wait > 0 then return {wait, tonumber(redis.call('GET', KEYS[1]) or '0'), 0} end
local count = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local excess = count - tonumber(ARGV[2])
local delay = 0
if excess >= 0 then
  delay = math.min(math.pow(2, math.min(excess, 30)) * 1000, tonumber(ARGV[3]))
  redis.call('SET', KEYS[2], '1', 'PX', string.format('%d', delay))
end
return {0, count, delay}
`;
export function createRedisStore(redis) {
    return {
        async increment(key, windowMs, extend = false) {
            const [count, ttl] = await redis.eval(INCREMENT_SCRIPT, 1, key, String(windowMs), extend ? '1' : '0');
            return { count, resetInMs: ttl > 0 ? ttl : windowMs };
        },
        async reserveAttempt(attemptsKey, blockKey, rule) {
            const [waitMs, count, blockMs] = await redis.eval(RESERVE_SCRIPT, 2, attemptsKey, blockKey, String(rule.forgetMs), String(rule.freeAttempts), String(rule.maxDelayMs));
            return { waitMs, count, blockMs };
        },
        async remove(...keys) { if (keys.length > 0)
            await redis.del(...keys); },
        async ping() { await redis.ping(); },
        async close() { redis.disconnect(); }
    };
}
const SKIP_PRIMARY_MS = 1000;
/**
 * Redis first; while Redis cannot answer, this instance's memory. Limits then hold per
 * instance instead of failing open altogether, and the service keeps serving.
 *
 * The login blocks Redis reports (and the failure counts behind them) are mirrored in
 * memory with their expiry, so an email that Redis had blocked stays blocked on this
 * instance when Redis goes away; a success clears both.
 */
export function createFallbackStore(primary, fallback, log, now = Date.now) {
    const warn = warnAtMostEvery30s(log);
    // After a failure (refused, or no answer within the command timeout) the next requests
    // go straight to memory for a moment: a stalled Redis then costs one timeout a second,
    // not one per request.
    let skipPrimaryUntil = 0;
    async function attempt(run, seen = () => { }) {
        if (now() >= skipPrimaryUntil) {
            try {
                const result = await run(primary);
                seen(result);
                return result;
            }
            catch (err) {
                skipPrimaryUntil = now() + SKIP_PRIMARY_MS;
                warn(err, 'Redis unavailable: abuse limits are kept in this instance\'s memory until it is back');
            }
        }
        return await run(fallback);
    }
    return {
        increment: async (key, windowMs, extend) => await attempt(store => store.increment(key, windowMs, extend)),
        reserveAttempt: async (attemptsKey, blockKey, rule) => await attempt(store => store.reserveAttempt(attemptsKey, blockKey, rule), ({ waitMs, count, blockMs }) => {
            const blockedMs = Math.max(waitMs, blockMs);
            if (blockedMs <= 0)
                return;
            fallback.mirror(blockKey, 1, blockedMs);
            // The count decides the next wait once this one is over (forgotten as Redis forgets it).
            if (count >= rule.freeAttempts)
                fallback.mirror(attemptsKey, count, rule.forgetMs);
        }),
        remove: async (...keys) => {
            await fallback.remove(...keys); // the mirror too: a success ends the block everywhere it is known
            await attempt(store => store.remove(...keys));
        },
        // Redis itself, not the fallback: readiness reports a Redis that is down.
        ping: async () => { await primary.ping(); },
        async close() {
            await primary.close();
            await fallback.close();
        }
    };
}
/** A warning that repeats at most every 30 s: a Redis outage would otherwise flood the log. */
function warnAtMostEvery30s(log) {
    let last = 0;
    return (err, msg) => {
        if (Date.now() - last < 30_000)
            return;
        last = Date.now();
        log.warn({ err }, msg);
    };
}
/** Waits for Redis to be ready, at most `ms`; the memory fallback serves until it is. */
async function waitUntilReady(redis, ms, log) {
    if (redis.status === 'ready')
        return;
    let timer;
    const ready = new Promise(resolve => { redis.once('ready', () => { resolve(true); }); });
    const timeout = new Promise(resolve => { timer = setTimeout(() => { resolve(false); }, ms); });
    const isReady = await Promise.race([ready, timeout]);
    clearTimeout(timer);
    if (!isReady)
        log.warn({}, `Redis not ready after ${ms} ms: starting with limits in memory until it is`);
}
/**
 * The store the configuration asks for: memory, or Redis with a memory fallback. The
 * memory's windows and blocks run on `now` (the service's clock); Redis's on its own.
 */
export async function createCounterStore({ redis: config, limits }, log, now = Date.now) {
    if (config.url === null)
        return createMemoryStore(limits.memoryKeys, now);
    // Loaded only when configured, like the database drivers.
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.url, {
        keyPrefix: config.keyPrefix,
        // Fail fast while disconnected instead of queueing: a request must not wait on Redis.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 2000,
        // A Redis that accepts but does not answer (stopped, overloaded, a stalled network)
        // must not hold requests: past this, the command fails and memory serves instead.
        commandTimeout: config.commandTimeoutMs,
        retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
    });
    const warn = warnAtMostEvery30s(log);
    redis.on('error', (err) => { warn(err, 'Redis connection error; retrying'); });
    await waitUntilReady(redis, 2000, log);
    // The pause after a Redis failure stays on the real clock: it is about the network.
    return createFallbackStore(createRedisStore(redis), createMemoryStore(limits.memoryKeys, now), log);
}
