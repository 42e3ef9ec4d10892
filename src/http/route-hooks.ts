// Helpers for plugins that act on the routes asking for them in their config (an onRoute
// hook), as @fastify/rate-limit does: a route that does not ask pays nothing per request.
import type { FastifySchema, onRequestHookHandler, RouteOptions } from 'fastify'
import { errorReply } from './schemas.js'

/** Appends `hook` to the route's onRequest hooks. */
export function addOnRequest (route: RouteOptions, hook: onRequestHookHandler): void {
  const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest]
  route.onRequest = [...existing, hook]
}

/** Documents an error reply the hook may send (and serializes it with the Error schema). */
export function addErrorReply (route: RouteOptions, status: number): void {
  const schema: FastifySchema = route.schema ?? {}
  const response = (schema.response ?? {}) as Record<number, unknown>
  response[status] ??= errorReply(status)
  schema.response = response
  route.schema = schema
}
