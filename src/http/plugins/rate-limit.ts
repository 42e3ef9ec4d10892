// Per-client-IP limits, as route config: a route that costs a password hash or sends mail
// says `config: { rateLimit: { bucket: 'login', max: limits.loginPerIp } }`; max 0 turns it
// off. The client IP is the socket's, or X-Forwarded-For's as far as TRUST_PROXY trusts the
// proxies; an IPv6 client is counted by its /64. Routes share a count by sharing a bucket.
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { CounterStore } from '../../limits/counter-store.js'
import { clientKeyOf } from '../client-address.js'
import { HttpError } from '../http-error.js'
import { addErrorReply, addOnRequest } from '../route-hooks.js'

export interface RouteRateLimit {
  /** The name the requests are counted under. */
  readonly bucket: string
  /** Requests per client IP and window; 0 switches the limit off. */
  readonly max: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RouteRateLimit
  }
}

export interface RateLimitOptions {
  readonly counters: CounterStore
  readonly windowSeconds: number
  /** Told the bucket of every request refused (the metrics). */
  readonly onLimited?: (bucket: string) => void
}

function createIpRateLimit ({ counters, windowSeconds, onLimited }: RateLimitOptions, { bucket, max }: RouteRateLimit) {
  const windowMs = windowSeconds * 1000
  return async function ipRateLimit (request: FastifyRequest): Promise<void> {
    const { count, resetInMs } = await counters.increment(`ip:${bucket}:${clientKeyOf(request.ip)}`, windowMs)
    if (count > max) {
      onLimited?.(bucket)
      const seconds = Math.max(1, Math.ceil(resetInMs / 1000))
      throw new HttpError('IP_RATE_LIMITED', `too many requests from this address; try again in ${seconds} s`, seconds)
    }
  }
}

export const rateLimitPlugin = fp(async function rateLimit (app: FastifyInstance, options: RateLimitOptions) {
  app.addHook('onRoute', route => {
    const limit = route.config?.rateLimit
    if (limit === undefined) return
    // Documented even while max is 0 (off): the configuration may turn it on.
    addErrorReply(route, 'IP_RATE_LIMITED')
    if (limit.max > 0) addOnRequest(route, createIpRateLimit(options, limit))
  })
}, { name: 'authsvc-rate-limit' })
