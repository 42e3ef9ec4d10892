// The identity providers people may sign in with (API.md v3, "Sign in with another identity
// provider"): OIDC_PROVIDERS names them, and each reads OIDC_<NAME>_<SUFFIX> from the table
// below. A preset name (google, microsoft, apple, github) says what the provider is; any
// other name is a generic OpenID Connect provider found by discovery at OIDC_<NAME>_ISSUER.
// Like settings.ts, a data table: loadConfig() reads it, `--help` and
// docs/configuration.md are written from it.
import { createPrivateKey } from 'node:crypto'
import { boolean, type Report, type Setting, text, url } from './setting.js'

export type Preset = 'google' | 'microsoft' | 'apple' | 'github'

/** What a preset fills in: the issuer (discovery), the button's label, how it answers. */
export const PRESETS: Readonly<Record<Preset, { readonly label: string, readonly issuer: string }>> = {
  google: { label: 'Google', issuer: 'https://accounts.google.com' },
  // {tenant}: OIDC_MICROSOFT_TENANT. With `common` or `organizations` the ID token's
  // issuer names the account's own tenant, checked against its `tid` claim.
  microsoft: { label: 'Microsoft', issuer: 'https://login.microsoftonline.com/{tenant}/v2.0' },
  apple: { label: 'Apple', issuer: 'https://appleid.apple.com' },
  // OAuth 2, not OpenID Connect: its endpoints under OIDC_GITHUB_URL and OIDC_GITHUB_API_URL.
  github: { label: 'GitHub', issuer: 'https://github.com' }
}

const group = 'upstream' as const

/** OIDC_<NAME>_<suffix>: the settings of one provider. `for` names the providers a setting
 *  applies to ('generic': a name that is not a preset); without it, every provider. */
export const PROVIDER_SETTINGS = {
  CLIENT_ID: { ...text({ group, default: null, range: 'text', summary: 'the client id registered with the provider (required)', doc: 'the client id this service was given when registered with the provider (required); the redirect URI to register there is `$PUBLIC_URL/ui/oidc/<name>/callback`' }) },
  CLIENT_SECRET: { ...text({ group, default: null, range: 'text', summary: 'its client secret (required; not for apple)', doc: 'the client secret (required, except for `apple`, whose secret this service signs from the three settings below)' }) },
  ISSUER: { ...url({ group, protocols: ['https:', 'http:'], summary: 'the issuer (discovery); required for a provider that is not a preset', doc: 'the issuer, whose `/.well-known/openid-configuration` describes the provider (required for a name that is not a preset; a preset\'s own issuer otherwise). `http:` only outside production' }), for: ['generic', 'google', 'microsoft', 'apple'] },
  TENANT: { ...text({ group, default: 'common', range: 'a tenant id or domain, `common`, `organizations`, `consumers`', summary: 'microsoft: the tenant', doc: '`microsoft` only: the tenant whose accounts may sign in (`common`: any work, school or personal account; `organizations`; `consumers`; or one tenant\'s id or domain). The ID token\'s issuer is checked against the account\'s own tenant (`tid`)' }), for: ['microsoft'] },
  TEAM_ID: { ...text({ group, default: null, range: 'text', summary: 'apple: the team id', doc: '`apple` only: the Apple Developer team id (required)' }), for: ['apple'] },
  KEY_ID: { ...text({ group, default: null, range: 'text', summary: 'apple: the key id', doc: '`apple` only: the id of the Sign in with Apple key (required)' }), for: ['apple'] },
  PRIVATE_KEY: { ...text({ group, default: null, range: 'a PKCS #8 PEM (`\\n` for line breaks allowed)', summary: 'apple: the key (PEM)', doc: '`apple` only: that key, PKCS #8 PEM as Apple gives it (required); this service signs its client secret with it, a JWT renewed before it expires' }), for: ['apple'] },
  URL: { ...url({ group, protocols: ['https:', 'http:'], summary: 'github: the web address (GitHub Enterprise)', doc: '`github` only: where its sign-in pages are (default `https://github.com`; a GitHub Enterprise server\'s address)' }), for: ['github'] },
  API_URL: { ...url({ group, protocols: ['https:', 'http:'], summary: 'github: the API address (GitHub Enterprise)', doc: '`github` only: its API (default `https://api.github.com`; GitHub Enterprise: `https://HOST/api/v3`)' }), for: ['github'] },
  LABEL: { ...text({ group, default: null, range: 'text (64 characters)', maxLength: 64, summary: 'the button\'s name on the sign-in page', doc: 'the name on its button on the sign-in and sign-up pages ("Continue with …"); a preset\'s own name, or the provider\'s name as written in `OIDC_PROVIDERS`, otherwise' }) },
  KEEP_TOKENS: { ...boolean({ group, default: false, summary: 'keep the provider\'s tokens (sealed)', doc: 'keep the provider\'s access and refresh tokens with the identity, sealed under `ENCRYPTION_KEY`; off, they are dropped once the sign-in is done' }) }
} satisfies Record<string, Setting<unknown> & { for?: ReadonlyArray<Preset | 'generic'> }>

export type ProviderSettingSuffix = keyof typeof PROVIDER_SETTINGS

const NAME = /^[a-z][a-z0-9]{0,31}$/

/** OIDC_PROVIDERS: the names, lower-case letters and digits, each once. */
export function parseProviderNames (raw: string | null, name: string, report: Report): string[] {
  if (raw === null) return []
  const names = raw.split(',').map(entry => entry.trim().toLowerCase()).filter(entry => entry !== '')
  const bad = names.filter(entry => !NAME.test(entry))
  if (bad.length > 0) report(`${name} must list provider names of letters and digits, starting with a letter (got ${bad.map(entry => JSON.stringify(entry)).join(', ')})`)
  return [...new Set(names.filter(entry => NAME.test(entry)))]
}

/** Apple's key as it comes (a .p8 file): read here, so a bad one stops the start rather
 *  than the first sign-in. The JWT library takes PKCS #8 only, not SEC 1 (BEGIN EC PRIVATE KEY). */
function isP256Pkcs8 (pem: string): boolean {
  if (!pem.trimStart().startsWith('-----BEGIN PRIVATE KEY-----')) return false
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' })
    return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
  } catch {
    return false // reported by the caller, with the setting's name
  }
}

export interface UpstreamProviderConfig {
  /** As in OIDC_PROVIDERS, lower-case: the path segment (/sessions/oidc/<name>) and the method (`oidc:<name>`). */
  readonly name: string
  readonly preset: Preset | null
  readonly label: string
  readonly clientId: string
  readonly clientSecret: string | null
  /** OpenID Connect: the issuer of discovery ({tenant} filled in); GitHub: its web address. */
  readonly issuer: string
  readonly tenant: string | null
  readonly apple: { readonly teamId: string, readonly keyId: string, readonly privateKey: string } | null
  readonly github: { readonly url: string, readonly apiUrl: string } | null
  readonly keepTokens: boolean
}

/** Reads OIDC_<NAME>_* of each provider named; what is missing or wrong goes to `report`. */
export function readProviders (names: readonly string[], env: Readonly<Record<string, string | undefined>>, production: boolean, report: Report): UpstreamProviderConfig[] {
  return names.map(name => {
    const preset = (Object.keys(PRESETS) as Preset[]).find(key => key === name) ?? null
    const prefix = `OIDC_${name.toUpperCase()}_`
    const read = <S extends ProviderSettingSuffix>(suffix: S): ReturnType<typeof PROVIDER_SETTINGS[S]['parse']> => {
      const raw = env[prefix + suffix]
      return PROVIDER_SETTINGS[suffix].parse(raw === undefined || raw === '' ? null : raw, prefix + suffix, report) as ReturnType<typeof PROVIDER_SETTINGS[S]['parse']>
    }
    const required = (suffix: ProviderSettingSuffix, value: string | null): string => {
      if (value === null) report(`${prefix}${suffix} is required: ${name} is in OIDC_PROVIDERS`)
      return value ?? ''
    }
    const https = (suffix: ProviderSettingSuffix, value: string | null): string | null => {
      if (value !== null && production && !value.startsWith('https:')) report(`${prefix}${suffix} must be an https: URL in production (got ${JSON.stringify(value)})`)
      return value
    }
    const clientId = required('CLIENT_ID', read('CLIENT_ID'))
    const clientSecret = preset === 'apple' ? null : required('CLIENT_SECRET', read('CLIENT_SECRET'))
    const tenant = preset === 'microsoft' ? read('TENANT') : null
    if (tenant !== null && !/^[A-Za-z0-9.-]{1,128}$/.test(tenant)) report(`${prefix}TENANT must be a tenant id or domain (got ${JSON.stringify(tenant)})`)
    const ownIssuer = https('ISSUER', read('ISSUER'))
    const issuer = preset === null ? required('ISSUER', ownIssuer) : ownIssuer ?? PRESETS[preset].issuer.replace('{tenant}', tenant ?? 'common')
    const apple = preset === 'apple'
      ? { teamId: required('TEAM_ID', read('TEAM_ID')), keyId: required('KEY_ID', read('KEY_ID')), privateKey: required('PRIVATE_KEY', read('PRIVATE_KEY')).replace(/\\n/g, '\n') }
      : null
    if (apple !== null && apple.privateKey !== '' && !isP256Pkcs8(apple.privateKey)) report(`${prefix}PRIVATE_KEY must be the PKCS #8 PEM of a P-256 key (-----BEGIN PRIVATE KEY-----), as Apple gives it`)
    const github = preset === 'github'
      ? { url: (https('URL', read('URL')) ?? issuer).replace(/\/+$/, ''), apiUrl: (https('API_URL', read('API_URL')) ?? 'https://api.github.com').replace(/\/+$/, '') }
      : null
    return {
      name,
      preset,
      label: read('LABEL') ?? (preset === null ? name.charAt(0).toUpperCase() + name.slice(1) : PRESETS[preset].label),
      clientId,
      clientSecret,
      issuer: github?.url ?? issuer,
      tenant,
      apple,
      github,
      keepTokens: read('KEEP_TOKENS')
    }
  })
}
