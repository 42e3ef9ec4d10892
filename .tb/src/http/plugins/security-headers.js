export function securityHeaders(production) {
    return {
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'cross-origin-resource-policy': 'same-origin',
        'referrer-policy': 'no-referrer',
        ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        // Every reply may carry or reflect a credential: keep it out of caches.
        'cache-control': 'no-store'
    };
}
/** An onRequest hook that puts the headers on every reply, errors included, with the
 *  request's id as X-Request-Id (the id its log lines carry). While the server drains
 *  (`draining()`: it is shutting down), every reply also says `Connection: close`, so a
 *  proxy stops reusing the connection and sends its next request to another instance. */
export function createSecurityHeaders(headers, draining = () => false) {
    return function setSecurityHeaders(request, reply, done) {
        void reply.headers(headers).header('x-request-id', request.id);
        if (draining())
            void reply.header('connection', 'close');
        done();
    };
}
