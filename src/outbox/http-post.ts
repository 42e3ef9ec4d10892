// A POST of a form to an address an operator registered (a client's back-channel logout
// URI), for the outbox's deliverers: bounded in time, no redirect followed (a 3xx is a
// failure like any other non-2xx), and, where asked (production), only to public
// addresses: an SSRF guard. The host's name is resolved here, every address it resolves
// to is checked, and the connection goes to a checked address: the check is the lookup
// the socket connects with (node:http's `lookup` option), so a name cannot resolve to a
// public address for the check and to a private one for the connection (DNS rebinding).
// An address written in the URL itself skips the lookup and is checked before.
import { type LookupAddress, lookup as resolve } from 'node:dns'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'

export interface PostOptions {
  /** The whole exchange (lookup, connection, answer); past it the attempt fails. */
  readonly timeoutMs: number
  /** Refuse loopback, private, link-local and other non-public addresses. */
  readonly publicAddressesOnly: boolean
}

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3')

/**
 * Whether an address is on the public internet: IPv4 outside every special range of
 * ipaddr.js (loopback, private, link-local, carrier-grade NAT, multicast, reserved, …);
 * IPv6 in global unicast (2000::/3) outside its special ranges. An IPv4-mapped IPv6
 * address (::ffff:127.0.0.1) is judged as the IPv4 address it maps.
 */
export function isPublicAddress (address: string): boolean {
  if (!ipaddr.isValid(address)) return false
  const parsed = ipaddr.process(address)
  if (parsed.range() !== 'unicast') return false
  return parsed.kind() === 'ipv4' || parsed.match(GLOBAL_UNICAST_V6)
}

function refusal (host: string, address: string): Error {
  const named = host === address ? address : `${host} (${address})`
  return Object.assign(new Error(`refused to connect to ${named}: not a public address (loopback, private, link-local or reserved); such addresses are refused in production`), { code: 'ADDRESS_REFUSED' })
}

/** dns.lookup, failing when any address of the name is not public. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error !== null) { callback(error, ''); return }
    const refused = addresses.find(entry => !isPublicAddress(entry.address))
    const [first] = addresses
    if (refused !== undefined) callback(refusal(hostname, refused.address), '')
    else if (first === undefined) callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '')
    else if (options.all === true) callback(null, addresses)
    else callback(null, first.address, first.family)
  })
}

/** POSTs `fields` form-urlencoded to `target`; resolves on a 2xx answer, throws otherwise
 *  with a one-line reason naming the origin only (a URI's path or query may hold a secret). */
export async function postForm (target: string, fields: Readonly<Record<string, string>>, options: PostOptions): Promise<void> {
  const url = new URL(target)
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${url.protocol} is not http: or https:`)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (options.publicAddressesOnly && isIP(host) !== 0 && !isPublicAddress(host)) throw refusal(host, host)
  const body = new URLSearchParams(fields).toString()
  const timeout = new AbortController()
  const timer = setTimeout(() => { timeout.abort() }, options.timeoutMs)
  try {
    const status = await new Promise<number>((resolved, rejected) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest
      const request = send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'user-agent': 'authsvc' },
        signal: timeout.signal,
        // A connection of its own: a pooled one could outlive a change of the guard's answer.
        agent: false,
        ...(options.publicAddressesOnly ? { lookup: publicOnlyLookup } : {})
      }, response => {
        // The answer's body is not read, only drained.
        response.resume()
        response.on('end', () => { resolved(response.statusCode ?? 0) })
        response.on('error', rejected)
      })
      request.on('error', rejected)
      request.end(body)
    })
    if (status < 200 || status > 299) throw new Error(`${url.origin} answered ${status}`)
  } catch (error) {
    if (timeout.signal.aborted) throw Object.assign(new Error(`${url.origin} did not answer within ${options.timeoutMs} ms`), { code: 'ETIMEDOUT' })
    throw error
  } finally {
    clearTimeout(timer)
  }
}
