// Security headers for a JSON API, after OWASP's REST Security Cheat Sheet: nothing may
// load or frame a response, no sniffing, no caching, no referrer; HSTS in production.
// A static set, not @fastify/helmet: helmet rebuilds its headers on every request (about
// 4 % of a GET /profile under `npm run bench`), and its browser-page headers
// (X-DNS-Prefetch-Control, X-Download-Options, Origin-Agent-Cluster …) mean nothing for
// JSON while every byte of them is written and parsed on each reply.
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'

export function securityHeaders (production: boolean): Record<string, string> {
  return {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    ...(production ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // Every reply may carry or reflect a credential: keep it out of caches.
    'cache-control': 'no-store'
  }
}

/** An onRequest hook that puts the headers on every reply, errors included, with the
 *  request's id as X-Request-Id (the id its log lines carry). While the server drains
 *  (`draining()`: it is shutting down), every reply also says `Connection: close`, so a
 *  proxy stops reusing the connection and sends its next request to another instance. */
export function createSecurityHeaders (headers: Readonly<Record<string, string>>, draining: () => boolean = () => false) {
  return function setSecurityHeaders (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    void reply.headers(headers).header('x-request-id', request.id)
    if (draining()) void reply.header('connection', 'close')
    done()
  }
}
