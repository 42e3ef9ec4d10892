import fp from 'fastify-plugin';
import { clientKeyOf } from '../client-address.js';
import { HttpError } from '../http-error.js';
import { addErrorReply, addOnRequest } from '../route-hooks.js';
function createIpRateLimit({ counters, windowSeconds, onLimited }, { bucket, max }) {
    const windowMs = windowSeconds * 1000;
    return async function ipRateLimit(request) {
        const { count, resetInMs } = await counters.increment(`ip:${bucket}:${clientKeyOf(request.ip)}`, windowMs);
        if (count > max) {
            onLimited?.(bucket);
            const seconds = Math.max(1, Math.ceil(resetInMs / 1000));
            throw new HttpError('IP_RATE_LIMITED', `too many requests from this address; try again in ${seconds} s`, seconds);
        }
    };
}
export const rateLimitPlugin = fp(async function rateLimit(app, options) {
    app.addHook('onRoute', route => {
        const limit = route.config?.rateLimit;
        if (limit === undefined)
            return;
        // Documented even while max is 0 (off): the configuration may turn it on.
        addErrorReply(route, 'IP_RATE_LIMITED');
        if (limit.max > 0)
            addOnRequest(route, createIpRateLimit(options, limit));
    });
}, { name: 'authsvc-rate-limit' });
