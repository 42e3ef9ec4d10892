// Per-client-IP limits on the routes that cost a password hash or send mail. The client
// IP is the socket's, or X-Forwarded-For's as far as TRUST_PROXY trusts the proxies; an
// IPv6 client is counted by its /64.
import type { FastifyRequest } from 'fastify'
import type { CounterStore } from '../../limits/counter-store.js'
import { clientKeyOf } from '../client-address.js'
import { HttpError } from '../http-error.js'

/** An onRequest hook allowing `limit` requests per IP per window; null when limit is 0. */
export function createIpRateLimit (counters: CounterStore, bucket: string, limit: number, windowSeconds: number): ((request: FastifyRequest) => Promise<void>) | null {
  if (limit === 0) return null
  const windowMs = windowSeconds * 1000
  return async function ipRateLimit (request: FastifyRequest): Promise<void> {
    const { count, resetInMs } = await counters.increment(`ip:${bucket}:${clientKeyOf(request.ip)}`, windowMs)
    if (count > limit) {
      const seconds = Math.max(1, Math.ceil(resetInMs / 1000))
      throw new HttpError('IP_RATE_LIMITED', `too many requests from this address; try again in ${seconds} s`, seconds)
    }
  }
}
