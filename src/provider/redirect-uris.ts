// The rules for the URIs a client application registers (API.md, "OpenID Connect
// provider"): absolute, no fragment, no user name or password; `https` always; `http` only
// on a loopback host (127.0.0.1, [::1], localhost) and never in production; a custom
// scheme (com.example.app:/cb, RFC 8252 §7.1) only for a public client, which makes it a
// native application. oidc-provider checks much of this again when it loads a client, but
// its refusal comes at sign-in time, long after the operator left: these come at once.
import { invalidField } from '../auth/errors.js'

/** oidc-provider's own list (its LOOPBACKS): URL.hostname as it spells them. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost'])
/** RFC 8252 §7.1: a private-use scheme is a domain name its publisher controls, reversed
 *  (URL.protocol is lower-cased, with its colon). */
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9+-]*(?:\.[a-z0-9+-]+)+:$/

export const MAX_URI_LENGTH = 2000
export const MAX_URIS = 20

/** How a URI is reached: which application type it implies. */
export type UriKind = 'https' | 'loopback' | 'custom'

export interface UriPolicy {
  /** NODE_ENV=production: no http at all. */
  readonly production: boolean
  /** A public client's redirect URIs may use a custom scheme; nothing else may. */
  readonly customScheme: 'allowed' | 'confidential' | 'never'
}

const quoted = (uri: string): string => JSON.stringify(uri.length > 200 ? `${uri.slice(0, 200)}…` : uri)

function refuse (field: string, uri: string, problem: string, rule: string): never {
  throw invalidField(`${field}: ${quoted(uri)} ${problem}`, { field, rule })
}

/** Checks one URI of `field` (redirect_uris, post_logout_redirect_uris,
 *  backchannel_logout_uri) and says how it is reached; throws INVALID_FIELD naming it. */
export function checkUri (field: string, uri: string, policy: UriPolicy): UriKind {
  if (uri.length > MAX_URI_LENGTH) refuse(field, uri, `is longer than ${MAX_URI_LENGTH} characters`, 'uri_length')
  const url = URL.parse(uri)
  if (url === null || /[\s\p{Cc}]/u.test(uri)) refuse(field, uri, 'is not an absolute URL (scheme:…, without spaces or control characters)', 'uri_absolute')
  if (uri.includes('#')) refuse(field, uri, 'has a fragment (#…), which a redirect URI must not have', 'uri_fragment')
  if (url.username !== '' || url.password !== '') refuse(field, uri, 'holds a user name or password', 'uri_credentials')
  const { protocol, hostname } = url
  if (protocol === 'https:') return 'https'
  if (protocol === 'http:') {
    if (!LOOPBACK_HOSTS.has(hostname)) refuse(field, uri, 'uses http on a host that is not a loopback address: use https (http is only for 127.0.0.1, [::1] or localhost, outside production)', 'uri_http')
    if (policy.production) refuse(field, uri, 'uses http: loopback http URIs are refused in production (NODE_ENV=production); use https', 'uri_http_production')
    return 'loopback'
  }
  if (policy.customScheme === 'never') refuse(field, uri, `uses the scheme ${protocol.slice(0, -1)}: only https is allowed here (or http on a loopback host outside production)`, 'uri_scheme')
  if (policy.customScheme === 'confidential') {
    refuse(field, uri, `uses the custom scheme ${protocol.slice(0, -1)}: custom schemes are for public (native) clients only; a confidential client uses https`, 'uri_scheme')
  }
  if (!REVERSE_DOMAIN_SCHEME.test(protocol)) {
    refuse(field, uri, `uses the scheme ${protocol.slice(0, -1)}: a custom scheme must be a reversed domain name, such as com.example.app (RFC 8252)`, 'uri_scheme')
  }
  if (uri.length <= protocol.length) refuse(field, uri, 'has nothing after its scheme', 'uri_absolute')
  return 'custom'
}

/** Checks a list of URIs of `field`: at least `min`, at most MAX_URIS, no repeats. */
export function checkUris (field: string, uris: readonly string[], policy: UriPolicy, min: number): UriKind[] {
  if (uris.length < min) throw invalidField(`${field}: at least ${min} URI${min === 1 ? ' is' : 's are'} required`, { field, rule: 'uri_count' })
  if (uris.length > MAX_URIS) throw invalidField(`${field}: at most ${MAX_URIS} URIs`, { field, rule: 'uri_count' })
  const repeated = uris.find((uri, index) => uris.indexOf(uri) !== index)
  if (repeated !== undefined) refuse(field, repeated, 'is listed twice', 'uri_repeated')
  return uris.map(uri => checkUri(field, uri, policy))
}

/**
 * A native application (one with a custom-scheme redirect URI) reaches its loopback
 * redirects over http; oidc-provider refuses a native client's https URI on a loopback
 * host ("claimed HTTPS URIs must not be using localhost"), so it is refused here too.
 */
export function checkNativeUris (field: string, uris: readonly string[]): void {
  for (const uri of uris) {
    const url = URL.parse(uri)
    if (url?.protocol === 'https:' && LOOPBACK_HOSTS.has(url.hostname)) {
      refuse(field, uri, 'is https on a loopback host, which a native client (one with a custom-scheme redirect URI) cannot use: use http://127.0.0.1:…', 'uri_native_loopback')
    }
  }
}
