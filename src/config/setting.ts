// One environment variable: how it is read, its default and range, and what it means.
// settings.ts lists them all; loadConfig(), `authsvc --help` and docs/configuration.md
// are made from that one list, so they cannot disagree.

export const GROUPS = {
  server: 'Server',
  database: 'Database',
  mail: 'Mail and the outbox',
  sessions: 'Sessions, tokens and verification',
  passwords: 'Passwords and hashing',
  limits: 'Abuse limits',
  http: 'HTTP, proxies and origins',
  observability: 'Metrics and audit',
  admin: 'Admin API',
  security: 'Secrets at rest',
  oidc: 'OpenID Connect provider',
  upstream: 'Sign in with another identity provider',
  pages: 'Hosted pages'
} as const

export type Group = keyof typeof GROUPS

/** Where a setting's parser reports what is wrong; it then returns a fallback. */
export type Report = (problem: string) => void

export interface Setting<T> {
  readonly group: Group
  /** The default as the docs show it ('–' for none). */
  readonly shownDefault: string
  /** The default as a value to copy (--help shows NAME=value); null for none, or one another setting decides. */
  readonly defaultValue: string | null
  /** The values allowed, as the docs show them. */
  readonly range: string
  /** One line for --help. */
  readonly summary: string
  /** The full description for docs/configuration.md (markdown). */
  readonly doc: string
  /** Reads the variable (null when unset or empty); on a bad value reports it and returns a fallback. */
  readonly parse: (raw: string | null, name: string, report: Report) => T
}

interface Doc {
  readonly group: Group
  readonly summary: string
  readonly doc: string
  /** Added to the shown default, e.g. "(7 days)". */
  readonly defaultNote?: string
  /** Replaces the shown default, for one that depends on another setting. */
  readonly shownDefault?: string
  /** Replaces the value --help shows (NAME=value) when the default depends on another setting. */
  readonly defaultValue?: string
  /** Added to the shown range, e.g. "(not below SESSION_IDLE_TTL)". */
  readonly rangeNote?: string
}

const code = (value: string): string => `\`${value}\``
const shown = (doc: Doc, fallback: string | number | boolean | null): string =>
  doc.shownDefault ?? (fallback === null ? '–' : `${code(String(fallback))}${doc.defaultNote === undefined ? '' : ` ${doc.defaultNote}`}`)
const withNote = (range: string, doc: Doc): string => doc.rangeNote === undefined ? range : `${range} ${doc.rangeNote}`

/** 3600000 → "3,600,000"; up to five digits stay as they are, as in "0–65535". */
export const formatNumber = (n: number): string => n < 100_000 ? String(n) : n.toLocaleString('en-US')

/** A whole number from min to max; null as the default means "set by another setting". */
export function integer<D extends number | null> (options: Doc & { default: D, min: number, max: number }): Setting<number | D> {
  const { min, max } = options
  return {
    ...options,
    shownDefault: shown(options, options.default),
    defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
    range: withNote(`${formatNumber(min)}–${formatNumber(max)}`, options),
    parse: (raw, name, report) => {
      if (raw === null) return options.default
      if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
        report(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`)
        return options.default
      }
      return Number(raw)
    }
  }
}

const TRUE = ['true', '1', 'yes', 'on']
const FALSE = ['false', '0', 'no', 'off']

/** true/false (also 1/0, yes/no, on/off); null as the default means "set by another setting". */
export function boolean<D extends boolean | null> (options: Doc & { default: D }): Setting<boolean | D> {
  return {
    ...options,
    shownDefault: shown(options, options.default),
    defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
    range: withNote('`true`, `false`', options),
    parse: (raw, name, report) => {
      if (raw === null) return options.default
      const value = raw.trim().toLowerCase()
      if (TRUE.includes(value)) return true
      if (FALSE.includes(value)) return false
      report(`${name} must be true or false (got ${JSON.stringify(raw)})`)
      return options.default
    }
  }
}

/** One of a few words. */
export function oneOf<const T extends string, const D extends T | null> (options: Doc & { default: D, allowed: readonly T[] }): Setting<T | D> {
  return {
    ...options,
    shownDefault: shown(options, options.default),
    defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
    range: withNote(options.allowed.map(code).join(', '), options),
    parse: (raw, name, report) => {
      if (raw === null) return options.default
      if ((options.allowed as readonly string[]).includes(raw)) return raw as T
      report(`${name} must be one of ${options.allowed.join(', ')} (got ${JSON.stringify(raw)})`)
      return options.default
    }
  }
}

/** A URL with one of the schemes given ('https:' …); kept as written. */
export function url (options: Doc & { protocols: readonly string[] }): Setting<string | null> {
  const { protocols } = options
  return {
    ...options,
    shownDefault: shown(options, null),
    defaultValue: null,
    range: withNote(`${protocols.map(code).join(' or ')} URL`, options),
    parse: (raw, name, report) => parseUrl(raw, name, report, protocols)
  }
}

export function parseUrl (raw: string | null, name: string, report: Report, protocols: readonly string[]): string | null {
  if (raw === null) return null
  try {
    if (protocols.includes(new URL(raw).protocol)) return raw
  } catch {
    // reported below, like a URL with the wrong scheme
  }
  report(`${name} must be a URL starting with ${protocols.map(p => `${p}//`).join(' or ')} (got ${JSON.stringify(raw)})`)
  return null
}

/** Any text; `maxLength` keeps that many characters. */
export function text<D extends string | null> (options: Doc & { default: D, range: string, maxLength?: number }): Setting<string | D> {
  return {
    ...options,
    shownDefault: shown(options, options.default),
    defaultValue: options.defaultValue ?? (options.default === null ? null : String(options.default)),
    range: options.range,
    parse: raw => raw === null ? options.default : raw.slice(0, options.maxLength ?? raw.length)
  }
}

/** A value with a parser of its own (parsers.ts). */
export function custom<T> (options: Doc & { shownDefault: string, defaultValue?: string, range: string, parse: Setting<T>['parse'] }): Setting<T> {
  return { ...options, defaultValue: options.defaultValue ?? null }
}
