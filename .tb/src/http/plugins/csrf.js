import fp from 'fastify-plugin';
import { HttpError } from '../http-error.js';
import { addErrorReply, addOnRequest } from '../route-hooks.js';
import { presentedCredential } from './session.js';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
function createCsrfCheck(allowed, withoutCookie) {
    // A callback hook, not an async one: it never waits.
    return function csrfCheck(request, _reply, done) {
        if (!withoutCookie && presentedCredential(request)?.transport !== 'cookie') {
            done();
            return;
        }
        const origin = request.headers.origin;
        const fetchSite = request.headers['sec-fetch-site'];
        // Browsers send Origin on every cross-origin unsafe request; Sec-Fetch-Site where
        // Origin is absent tells the same. Non-browser clients send neither.
        const trusted = origin !== undefined
            ? allowed.has(origin)
            : fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none';
        done(trusted ? undefined : new HttpError('CROSS_SITE'));
    };
}
/** `origins`: this service's own (config.http.selfOrigins) and TRUSTED_ORIGINS. */
export const csrfPlugin = fp(async function csrf(app, { origins }) {
    const allowed = new Set(origins);
    app.addHook('onRoute', route => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        if (methods.every(method => SAFE_METHODS.has(method)))
            return;
        addOnRequest(route, createCsrfCheck(allowed, route.config?.refuseCrossSite === true));
        addErrorReply(route, 'CROSS_SITE');
    });
}, { name: 'authsvc-csrf' });
