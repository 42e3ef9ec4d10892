// Privileged actions over HTTP: a route that says `config: { privileged: true }` (it must
// also say requireSession) runs flows/privileged.ts's rule before its handler, after the
// body is validated: the session authenticated within REAUTH_MAX_AGE (with the second
// factor where the account has one), or the body's current_password where the route
// takes it. The hosted pages call the same rule from their forms.
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler, preHandlerHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { AuthContext } from '../../auth/context.js'
import { requireFreshAuthentication } from '../../flows/privileged.js'
import { requesterOf } from '../client-address.js'
import { addErrorReply } from '../route-hooks.js'
import { sessionOf } from './session.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route is a privileged action: a fresh authentication, or current_password. */
    privileged?: boolean
  }
}

function currentPasswordOf (request: FastifyRequest): string | undefined {
  const body = request.body as { current_password?: unknown } | undefined | null
  return typeof body?.current_password === 'string' ? body.current_password : undefined
}

function addPreHandler (route: RouteOptions, hook: preHandlerHookHandler | preHandlerAsyncHookHandler): void {
  const existing = route.preHandler === undefined ? [] : Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]
  route.preHandler = [hook, ...existing]
}

export const privilegedPlugin = fp(async function privileged (app: FastifyInstance, { ctx }: { ctx: AuthContext }) {
  app.addHook('onRoute', route => {
    if (route.config?.privileged !== true) return
    if (route.config.requireSession !== true) throw new Error(`${String(route.method)} ${route.url}: a privileged route needs requireSession`)
    addPreHandler(route, async (request: FastifyRequest) => {
      await requireFreshAuthentication(ctx, sessionOf(request), currentPasswordOf(request), requesterOf(request))
    })
    addErrorReply(route, 'REAUTHENTICATION_REQUIRED', 'WRONG_CURRENT_PASSWORD', 'FORBIDDEN', 'RATE_LIMITED', 'OVERLOADED')
  })
}, { name: 'authsvc-privileged' })
