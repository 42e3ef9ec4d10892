import type { FastifyRequest } from 'fastify'
import type { AuthContext } from '../../auth/context.js'
import type { Config } from '../../config.js'

/** What every route module receives from buildApp(). */
export interface RouteDeps {
  readonly ctx: AuthContext
  readonly config: Config
  readonly requireSession: (request: FastifyRequest) => Promise<void>
}
