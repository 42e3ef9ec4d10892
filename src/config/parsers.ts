// The parsers of the settings that are more than a number, a word or a URL. Each reports
// what is wrong (naming the variable) and returns a fallback, so every problem is listed.
import { createHash } from 'node:crypto'
import net from 'node:net'
import path from 'node:path'
import ipaddr from 'ipaddr.js'
import { parseUrl, type Report } from './setting.js'
import type { EncryptionConfig } from './types.js'

export const DEFAULT_DATABASE_FILE = path.join('data', 'auth.sqlite')

/** Where DATABASE_URL points; the pool and timeouts come from their own settings. */
export type DatabaseLocation = { readonly dialect: 'sqlite', readonly file: string } | { readonly dialect: 'postgres' | 'mysql', readonly url: string }

/** The URL with its password replaced, for messages and logs. */
export function redactUrl (raw: string): string {
  try {
    const url = new URL(raw)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return raw.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@')
  }
}

export function parseDatabaseUrl (value: string | null, name: string, report: Report): DatabaseLocation {
  const raw = value ?? DEFAULT_DATABASE_FILE
  const fallback = { dialect: 'sqlite', file: DEFAULT_DATABASE_FILE } as const
  if (raw === ':memory:') return { dialect: 'sqlite', file: raw }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase()
  // A bare path, or a Windows drive letter (C:\...), is a SQLite file.
  if (scheme === undefined || scheme.length === 1) return { dialect: 'sqlite', file: raw }
  if (scheme === 'sqlite' || scheme === 'file') {
    // sqlite:relative/path, sqlite:///absolute/path, file:./path
    const file = raw.slice(scheme.length + 1).replace(/^\/\/(?=\/)/, '')
    if (file !== '') return { dialect: 'sqlite', file }
  }
  if (scheme === 'postgres' || scheme === 'postgresql' || scheme === 'mysql') {
    try {
      const url = new URL(raw)
      if (url.hostname === '' || url.pathname.length <= 1) throw new Error('host and database name are required')
      return { dialect: scheme === 'mysql' ? 'mysql' : 'postgres', url: raw }
    } catch (error) {
      report(`${name} is not a usable ${scheme} URL: ${error instanceof Error ? error.message : String(error)} (expected ${scheme}://user:password@host:port/database)`)
      return fallback
    }
  }
  report(`${name} must be a SQLite file path, a sqlite: URL, a postgres:// URL or a mysql:// URL (got ${JSON.stringify(redactUrl(raw))})`)
  return fallback
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal']

export function parseTrustProxy (value: string | null, name: string, report: Report): boolean | number | string {
  const raw = value?.trim()
  if (raw === undefined || raw === 'false') return false
  if (raw === 'true') return true
  if (/^\d+$/.test(raw)) return Number(raw)
  const entries = raw.split(',').map(entry => entry.trim()).filter(entry => entry !== '')
  const bad = entries.filter(entry => {
    const [address, bits, ...rest] = entry.split('/')
    if (PROXY_NAMES.includes(entry)) return false
    if (rest.length > 0 || address === undefined || net.isIP(address) === 0) return true
    return bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (net.isIPv4(address) ? 32 : 128))
  })
  if (entries.length === 0 || bad.length > 0) {
    report(`${name} must be true, false, a hop count, or a comma-separated list of proxy addresses/CIDRs (${PROXY_NAMES.join(', ')} allowed); bad entries: ${JSON.stringify(bad.length > 0 ? bad : raw)}`)
    return false
  }
  return entries.join(',')
}

const list = (raw: string): string[] => raw.split(',').map(entry => entry.trim()).filter(entry => entry !== '')

export function parseOrigins (raw: string | null, name: string, report: Report): string[] {
  const origins: string[] = []
  for (const entry of list(raw ?? '')) {
    try {
      const url = new URL(entry)
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.origin === entry.replace(/\/$/, '')) {
        origins.push(url.origin)
        continue
      }
    } catch {
      // reported below
    }
    report(`${name} entries must be origins like https://app.example.com (no path); got ${JSON.stringify(entry)}`)
  }
  return origins
}

/** Comma-separated audiences of session JWTs: printable text without spaces, at most 255 characters each. */
export function parseAudiences (raw: string | null, name: string, report: Report): string[] {
  const audiences: string[] = []
  for (const entry of list(raw ?? '')) {
    if (/^[\x21-\x7e]{1,255}$/.test(entry)) audiences.push(entry)
    else report(`${name} entries must be 1 to 255 printable characters without spaces (a URL such as https://api.example.com, or a name); got ${JSON.stringify(entry)}`)
  }
  return [...new Set(audiences)]
}

/** The loopback networks: the default of METRICS_ALLOW and ADMIN_ALLOW. */
export const LOOPBACK_ONLY = '127.0.0.0/8,::1/128'
export const DEFAULT_METRICS_ALLOW = LOOPBACK_ONLY

/** Comma-separated CIDRs (or single addresses); unset: loopback only. */
export function parseCidrs (raw: string | null, name: string, report: Report): string[] {
  const cidrs: string[] = []
  for (const entry of list(raw ?? LOOPBACK_ONLY)) {
    try {
      const [address, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), entry.includes(':') ? 128 : 32]
      cidrs.push(`${address.toString()}/${bits}`)
    } catch {
      report(`${name} entries must be addresses or CIDRs like 10.0.0.0/8 or ::1; got ${JSON.stringify(entry)}`)
    }
  }
  return cidrs
}

// Without ENCRYPTION_KEY (development and test only), a fixed key that anyone can read here.
const DEVELOPMENT_KEY = createHash('sha256').update('authsvc development key: not a secret').digest()
const DEVELOPMENT: EncryptionConfig = { keys: [{ id: 'development', key: DEVELOPMENT_KEY }], development: true }

/** One or more 32-byte keys (base64, base64url or 64 hex digits), comma-separated, the
 *  newest first; each is known by a fingerprint (its id). */
export function parseEncryptionKeys (raw: string | null, name: string, report: Report): EncryptionConfig {
  if (raw === null) return DEVELOPMENT
  const keys: Array<{ id: string, key: Buffer }> = []
  for (const [index, entry] of raw.split(',').map(part => part.trim()).entries()) {
    const key = /^[0-9a-f]{64}$/i.test(entry) ? Buffer.from(entry, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(entry) ? Buffer.from(entry, 'base64') : null
    if (key === null || key.length !== 32) {
      report(`${name} must be 32-byte keys in base64 or hex, comma-separated, the newest first (key ${index + 1} is not; make one with: openssl rand -base64 32)`)
      return DEVELOPMENT
    }
    keys.push({ id: createHash('sha256').update(key).digest('hex').slice(0, 12), key })
  }
  return { keys, development: false }
}

/** A path on this origin ("/logo.svg") or an https:// URL. */
export function parseLogoUrl (raw: string | null, name: string, report: Report): string | null {
  if (raw === null) return null
  if (/^\/(?![/\\])[^\s"'<>]*$/.test(raw)) return raw
  const url = parseUrl(raw, name, report, ['https:'])
  return url === null ? null : new URL(url).href
}

export function parseMetricsToken (raw: string | null, name: string, report: Report): string | null {
  if (raw !== null && raw.length < 16) report(`${name} must be at least 16 characters (a guessable token would open the metrics to anyone)`)
  return raw
}

export function parseAdminToken (raw: string | null, name: string, report: Report): string | null {
  if (raw !== null && raw.length < 16) report(`${name} must be at least 16 characters (a guessable token would let anyone register client applications)`)
  return raw
}

export function parseInstanceName (raw: string | null, name: string, report: Report): string | null {
  if (raw === null || /^[\w.:-]{1,64}$/.test(raw)) return raw
  report(`${name} must be 1 to 64 letters, digits, '.', ':', '_' or '-' (got ${JSON.stringify(raw)})`)
  return null
}
