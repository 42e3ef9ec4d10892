// The cookie that binds a flow at another provider to the browser that began it
// (flows.ts): set when the browser is sent to the provider, read and cleared at the
// callback, sent nowhere else (its path is the callbacks'). A provider that answers with a
// cross-site form POST (Apple's form_post) gets it only as SameSite=None, which browsers
// accept only with Secure: so None on an https PUBLIC_URL, Lax otherwise (development,
// where the provider's redirect is a top-level GET anyway).
import { parse, serialize } from 'cookie'
import type { Config } from '../../config.js'
import { UPSTREAM_FLOW_TTL_SECONDS } from './flows.js'

export const UPSTREAM_COOKIE = 'authsvc_upstream'
/** Where the callbacks live: /ui/oidc/<name>/callback. */
export const CALLBACK_BASE = '/ui/oidc'

export function callbackUrl (config: Pick<Config, 'publicUrl'>, provider: string): string {
  return `${config.publicUrl}${CALLBACK_BASE}/${provider}/callback`
}

function attributes (config: Config): { httpOnly: true, path: string, secure: boolean, sameSite: 'none' | 'lax' } {
  const https = config.publicUrl.startsWith('https:')
  return { httpOnly: true, path: CALLBACK_BASE, secure: https || config.env === 'production', sameSite: https ? 'none' : 'lax' }
}

export function flowCookie (config: Config, token: string): string {
  return serialize(UPSTREAM_COOKIE, token, { ...attributes(config), maxAge: UPSTREAM_FLOW_TTL_SECONDS })
}

export function clearedFlowCookie (config: Config): string {
  return serialize(UPSTREAM_COOKIE, '', { ...attributes(config), maxAge: 0, expires: new Date(0) })
}

export function flowTokenOf (cookieHeader: string | undefined): string | undefined {
  return cookieHeader === undefined ? undefined : parse(cookieHeader)[UPSTREAM_COOKIE]
}
