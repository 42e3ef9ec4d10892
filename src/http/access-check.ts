// Who may reach a guarded route (GET /metrics, the admin API): a client address inside an
// allow-list, or the holder of a bearer token, compared in constant time. Everybody else
// is answered as for a path that does not exist, so the route's existence is not told.
import type { FastifyRequest } from 'fastify'
import ipaddr from 'ipaddr.js'
import { constantTimeEqual } from '../auth/tokens.js'

export interface AccessRule {
  /** Client networks (CIDRs), the client address as TRUST_PROXY reads it. */
  readonly allow: readonly string[]
  /** A bearer token that passes from any address; null for none. */
  readonly token: string | null
}

export interface AccessOptions {
  /**
   * TRUST_PROXY is off: a request that names a forwarded client (X-Forwarded-For,
   * Forwarded, X-Real-IP) came through a proxy this service does not trust, whose own
   * address (often loopback) is all it sees, so its address proves nothing: only the token
   * lets it in. Without this, a proxy on the same host would open a loopback-only route
   * to everybody.
   */
  readonly distrustForwarded?: boolean
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip']

export function createAccessCheck ({ allow, token }: AccessRule, { distrustForwarded = false }: AccessOptions = {}): (request: FastifyRequest) => boolean {
  const networks = allow.map(cidr => ipaddr.parseCIDR(cidr))
  const bearer = token === null ? null : `Bearer ${token}`
  return request => {
    const authorization = request.headers.authorization
    if (bearer !== null && authorization !== undefined && constantTimeEqual(authorization, bearer)) return true
    if (distrustForwarded && FORWARDING_HEADERS.some(name => request.headers[name] !== undefined)) return false
    let address: ipaddr.IPv4 | ipaddr.IPv6
    try {
      address = ipaddr.process(request.ip)
    } catch {
      return false
    }
    return networks.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits))
  }
}
