// The log of a database outage: expected infrastructure trouble, so one line naming the
// cause, never a stack per request. The first failure of a kind ("database unavailable:
// disk full (SQLITE_FULL)") is logged at once; while more follow, one line per interval
// counts them ("database unavailable: 37 more in 10 s: disk full (SQLITE_FULL)"); after a
// quiet interval the next failure is logged at once again.
import { databaseFailureOf } from './db/errors.js';
export const OUTAGE_LOG_INTERVAL_MS = 10_000;
// Kinds are what × cause, a short fixed list; a bound all the same.
const MAX_KINDS = 100;
export function createOutageLog(logger, intervalMs = OUTAGE_LOG_INTERVAL_MS) {
    const kinds = new Map();
    const seconds = Math.round(intervalMs / 1000);
    function tick(key, what, cause) {
        const kind = kinds.get(key);
        if (kind === undefined)
            return;
        if (kind.more === 0) {
            clearInterval(kind.timer);
            kinds.delete(key);
            return;
        }
        logger.warn({ cause, failures: kind.more }, `${what}: ${kind.more} more in ${seconds} s: ${cause}`);
        kind.more = 0;
    }
    return {
        report(error, what = 'database unavailable', log = logger) {
            const cause = databaseFailureOf(error)?.cause ?? (error instanceof Error ? error.message : String(error));
            const key = `${what}\n${cause}`;
            const kind = kinds.get(key);
            if (kind !== undefined) {
                kind.more += 1;
                return;
            }
            log.warn({ cause }, `${what}: ${cause}`);
            if (kinds.size >= MAX_KINDS)
                return;
            const timer = setInterval(() => { tick(key, what, cause); }, intervalMs);
            timer.unref();
            kinds.set(key, { more: 0, timer });
        },
        close() {
            for (const [key, kind] of kinds) {
                const [what = '', cause = ''] = key.split('\n');
                if (kind.more > 0)
                    logger.warn({ cause, failures: kind.more }, `${what}: ${kind.more} more: ${cause}`);
                clearInterval(kind.timer);
            }
            kinds.clear();
        }
    };
}
