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

export function createAccessCheck ({ allow, token }: AccessRule): (request: FastifyRequest) => boolean {
  const networks = allow.map(cidr => ipaddr.parseCIDR(cidr))
  const bearer = token === null ? null : `Bearer ${token}`
  return request => {
    const authorization = request.headers.authorization
    if (bearer !== null && authorization !== undefined && constantTimeEqual(authorization, bearer)) return true
    let address: ipaddr.IPv4 | ipaddr.IPv6
    try {
      address = ipaddr.process(request.ip)
    } catch {
      return false
    }
    return networks.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits))
  }
}
