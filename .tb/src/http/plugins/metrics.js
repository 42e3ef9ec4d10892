import fp from 'fastify-plugin';
import ipaddr from 'ipaddr.js';
import { constantTimeEqual } from '../../auth/tokens.js';
export const METRICS_PATH = '/metrics';
function createAccessCheck({ allow, token }) {
    const networks = allow.map(cidr => ipaddr.parseCIDR(cidr));
    const bearer = token === null ? null : `Bearer ${token}`;
    return request => {
        const authorization = request.headers.authorization;
        if (bearer !== null && authorization !== undefined && constantTimeEqual(authorization, bearer))
            return true;
        let address;
        try {
            address = ipaddr.process(request.ip);
        }
        catch {
            return false;
        }
        return networks.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits));
    };
}
export const metricsPlugin = fp(async function metricsRoutes(app, { metrics, config }) {
    const children = new Map();
    app.addHook('onResponse', (request, reply, done) => {
        const route = request.is404 ? 'unmatched' : request.routeOptions.url ?? 'unmatched';
        const status = reply.statusCode;
        const key = `${request.method} ${status} ${route}`;
        let child = children.get(key);
        if (child === undefined) {
            const labels = { method: request.method, route, status: String(status) };
            child = { requests: metrics.httpRequests.labels(labels), duration: metrics.httpDuration.labels(labels) };
            children.set(key, child);
        }
        child.requests.inc();
        child.duration.observe(reply.elapsedTime / 1000);
        done();
    });
    const mayRead = createAccessCheck(config);
    app.get(METRICS_PATH, { schema: { hide: true }, config: { logRequest: false } }, async (request, reply) => {
        if (!mayRead(request))
            return reply.callNotFound();
        return await reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
}, { name: 'authsvc-metrics' });
