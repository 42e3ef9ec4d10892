import { probeWrite } from '../../db/leases.js';
/** Each check's limit: a readiness probe must answer before the prober gives up (often 1 s). */
export const CHECK_TIMEOUT_MS = 800;
/** Only the database is required: without Redis every request is still served (the
 *  counters' memory fallback), so a Redis blip must not take every instance out of a load
 *  balancer at once. */
export function statusOf(checks) {
    if (checks.database !== 'ok')
        return 'unavailable';
    return Object.values(checks).every(result => result === 'ok') ? 'ok' : 'degraded';
}
async function within(ms, work) {
    let timer;
    const timeout = new Promise((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`no answer within ${ms} ms`)); }, ms); });
    try {
        await Promise.race([work, timeout]);
    }
    finally {
        clearTimeout(timer);
    }
}
export async function checkReadiness(deps) {
    const probes = { database: async () => { await probeWrite(deps.db); } };
    if (deps.redis)
        probes.redis = async () => { await deps.counters.ping(); };
    const entries = await Promise.all(Object.entries(probes).map(async ([name, probe]) => {
        try {
            await within(CHECK_TIMEOUT_MS, probe());
            return [name, 'ok'];
        }
        catch (error) {
            deps.onFailure(name, error);
            return [name, 'unreachable'];
        }
    }));
    const checks = Object.fromEntries(entries);
    return { status: statusOf(checks), checks };
}
