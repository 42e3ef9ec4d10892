// CSRF defence for cookie sessions (as Hono's csrf middleware): an unsafe request that
// authenticates with the session_id cookie must come from this service's own origin or
// from one of TRUSTED_ORIGINS. Requests whose credential is X-Session-ID are not
// affected: a cross-site page cannot set that header without a CORS preflight that only
// trusted origins pass. Sign-in and sign-up (routes with `config: { refuseCrossSite: true }`)
// are checked without any cookie: a page of another site must not sign a visitor's browser
// into an account of the attacker's (login CSRF). The check is added to every route of an
// unsafe method as it is registered; GET routes pay nothing.
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import { HttpError } from '../http-error.js'
import { addErrorReply, addOnRequest } from '../route-hooks.js'
import { presentedCredential } from './session.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Refuse cross-site requests even without a session cookie. */
    refuseCrossSite?: boolean
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function createCsrfCheck (allowed: ReadonlySet<string>, withoutCookie: boolean) {
  // A callback hook, not an async one: it never waits.
  return function csrfCheck (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (!withoutCookie && presentedCredential(request)?.transport !== 'cookie') {
      done()
      return
    }
    const origin = request.headers.origin
    const fetchSite = request.headers['sec-fetch-site']
    // Browsers send Origin on every cross-origin unsafe request; Sec-Fetch-Site where
    // Origin is absent tells the same. Non-browser clients send neither.
    const trusted = origin !== undefined
      ? allowed.has(origin)
      : fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none'
    done(trusted ? undefined : new HttpError('CROSS_SITE'))
  }
}

/** `origins`: this service's own (config.http.selfOrigins) and TRUSTED_ORIGINS. */
export const csrfPlugin = fp(async function csrf (app: FastifyInstance, { origins }: { origins: readonly string[] }) {
  const allowed = new Set(origins)
  app.addHook('onRoute', route => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (methods.every(method => SAFE_METHODS.has(method))) return
    addOnRequest(route, createCsrfCheck(allowed, route.config?.refuseCrossSite === true))
    addErrorReply(route, 'CROSS_SITE')
  })
}, { name: 'authsvc-csrf' })
