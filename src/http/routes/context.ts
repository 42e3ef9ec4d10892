import type { FastifyRequest } from 'fastify'
import type { AuthContext } from '../../auth/context.js'
import type { Config } from '../../config.js'

type Hook = (request: FastifyRequest) => Promise<void>

/** What every route module receives from buildApp(). */
export interface RouteDeps {
  readonly ctx: AuthContext
  readonly config: Config
  readonly requireSession: Hook
  /** Per-IP limits; null when switched off. */
  readonly rateLimits: { readonly register: Hook | null, readonly login: Hook | null, readonly reset: Hook | null, readonly account: Hook | null }
}

/** The onRequest option of a route: the hooks that are switched on. */
export function onRequest (...hooks: Array<Hook | null>): Hook[] {
  return hooks.filter((hook): hook is Hook => hook !== null)
}
