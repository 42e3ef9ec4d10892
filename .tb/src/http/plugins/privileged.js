import fp from 'fastify-plugin';
import { requireFreshAuthentication } from '../../flows/privileged.js';
import { requesterOf } from '../client-address.js';
import { addErrorReply } from '../route-hooks.js';
import { sessionOf } from './session.js';
function currentPasswordOf(request) {
    const body = request.body;
    return typeof body?.current_password === 'string' ? body.current_password : undefined;
}
function addPreHandler(route, hook) {
    const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler];
    route.preHandler = [hook, ...existing];
}
export const privilegedPlugin = fp(async function privileged(app, { ctx }) {
    app.addHook('onRoute', route => {
        if (route.config?.privileged !== true)
            return;
        if (route.config.requireSession !== true)
            throw new Error(`${String(route.method)} ${route.url}: a privileged route needs requireSession`);
        addPreHandler(route, async (request) => {
            await requireFreshAuthentication(ctx, sessionOf(request), currentPasswordOf(request), requesterOf(request));
        });
        addErrorReply(route, 'REAUTHENTICATION_REQUIRED', 'WRONG_CURRENT_PASSWORD', 'FORBIDDEN', 'RATE_LIMITED', 'OVERLOADED');
    });
}, { name: 'authsvc-privileged' });
