// CSRF defence for cookie sessions (as Hono's csrf middleware): an unsafe request that
// authenticates with the session_id cookie must come from this service's own origin or
// from one of TRUSTED_ORIGINS. Requests whose credential is X-Session-ID are not
// affected: a cross-site page cannot set that header without a CORS preflight that only
// trusted origins pass. Sign-in and sign-up (routes with `config: { refuseCrossSite: true }`)
// are checked without any cookie: a page of another site must not sign a visitor's browser
// into an account of the attacker's (login CSRF).
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import { HttpError } from '../http-error.js'
import { presentedCredential } from './session.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Refuse cross-site requests even without a session cookie. */
    refuseCrossSite?: boolean
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

export function createCsrfCheck (publicUrl: string, trustedOrigins: readonly string[]) {
  const allowed = new Set([new URL(publicUrl).origin, ...trustedOrigins])
  // A callback hook, not an async one: it runs on every request and never waits.
  return function csrfCheck (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    if (SAFE_METHODS.has(request.method) ||
      (request.routeOptions.config.refuseCrossSite !== true && presentedCredential(request)?.transport !== 'cookie')) {
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
    done(trusted ? undefined : new HttpError('CROSS_SITE', 'cross-site request refused: its origin is not trusted'))
  }
}
