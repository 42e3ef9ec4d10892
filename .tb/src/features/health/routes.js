import { Type } from 'typebox';
import { CHECK_TIMEOUT_MS } from './health.js';
const Check = Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]);
const Ready = Type.Object({
    status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('unavailable')]),
    checks: Type.Object({ database: Check, redis: Type.Optional(Check) }, { additionalProperties: false }),
    message: Type.Optional(Type.String()),
    code: Type.Optional(Type.String())
}, { additionalProperties: false });
export const healthRoutes = async (app, { checkReadiness }) => {
    app.get('/health/alive', {
        config: { logRequest: false },
        schema: {
            operationId: 'alive',
            summary: 'Liveness: the process serves',
            tags: ['service'],
            response: { 200: Type.Object({ status: Type.Literal('ok') }, { additionalProperties: false, description: 'Always, while the process serves.' }) }
        }
    }, async () => ({ status: 'ok' }));
    app.get('/health/ready', {
        config: { logRequest: false },
        schema: {
            operationId: 'ready',
            summary: 'Readiness: the database (and Redis, when configured) answer',
            description: `Each dependency gets a real round trip of at most ${CHECK_TIMEOUT_MS} ms. The answer names what failed, never why. ` +
                'Only the database is required: while Redis is unreachable the instance serves with its limits in memory and answers 200 `degraded`.',
            tags: ['service'],
            response: {
                200: Type.Object(Ready.properties, { additionalProperties: false, description: 'Ready: status ok (every check is ok) or degraded (Redis unreachable; limits are kept in this instance\'s memory).' }),
                503: Type.Object(Ready.properties, { additionalProperties: false, description: 'Not ready: the database is unreachable (status unavailable, code unavailable).' })
            }
        }
    }, async (request, reply) => {
        const { status, checks } = await checkReadiness((check, err) => { request.log.warn({ err, check }, 'readiness check failed'); });
        if (status !== 'unavailable')
            return { status, checks: checks };
        const failed = Object.entries(checks).filter(([, result]) => result !== 'ok').map(([name]) => name);
        return await reply.code(503).send({ status: 'unavailable', checks: checks, message: `not ready: ${failed.join(', ')} unreachable`, code: 'unavailable' });
    });
};
