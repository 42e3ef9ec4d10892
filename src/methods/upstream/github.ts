// GitHub: OAuth 2, not OpenID Connect (no ID token, no nonce, no discovery), so its two
// steps are written here: the authorization URL (state and PKCE, which GitHub supports),
// then the code exchange, the account (`GET /user`: its numeric id is the subject) and its
// addresses (`GET /user/emails`: the primary one, and GitHub's own verified flag; the
// `email` of /user is only what the person chose to make public). The identity's issuer is
// OIDC_GITHUB_URL (https://github.com).
import type { UpstreamProviderConfig } from '../../config.js'
import type { UpstreamFlow } from './flows.js'
import { type Callback, UpstreamError, type UpstreamIdentity, type UpstreamProvider } from './provider.js'
import { createHash } from 'node:crypto'

const REQUEST_TIMEOUT_MS = 10_000
const ACCEPT = { accept: 'application/json', 'user-agent': 'authsvc' }

export function createGitHubProvider (config: UpstreamProviderConfig): UpstreamProvider {
  const github = config.github
  if (github === null) throw new Error('createGitHubProvider needs the github settings')

  async function call (url: string, init: RequestInit): Promise<unknown> {
    let response: Response
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'error' })
    } catch (error) {
      throw new UpstreamError('unavailable', `github: ${new URL(url).origin} did not answer`, { cause: error })
    }
    if (response.status >= 500) throw new UpstreamError('unavailable', `github: ${new URL(url).origin} answered ${response.status}`)
    const body = await response.json().catch(() => null) as unknown
    if (!response.ok || body === null || typeof body !== 'object') throw new UpstreamError('invalid_callback', `github: ${new URL(url).pathname} answered ${response.status}`)
    return body
  }

  return {
    config,
    async authorizationUrl (flow: UpstreamFlow, redirectUri: string): Promise<URL> {
      const url = new URL(`${github.url}/login/oauth/authorize`)
      url.search = new URLSearchParams({
        client_id: config.clientId,
        redirect_uri: redirectUri,
        scope: 'read:user user:email',
        state: flow.state,
        code_challenge: createHash('sha256').update(flow.codeVerifier).digest('base64url'),
        code_challenge_method: 'S256',
        allow_signup: 'true'
      }).toString()
      return url
    },
    async redeem (callback: Callback, flow: UpstreamFlow, redirectUri: string): Promise<UpstreamIdentity> {
      const params = callback.url.searchParams
      if (params.get('error') === 'access_denied') throw new UpstreamError('denied', 'github: the person did not allow it')
      const code = params.get('code')
      if (params.get('state') !== flow.state || code === null || code === '') throw new UpstreamError('invalid_callback', 'github: the callback\'s state or code is wrong')
      const token = await call(`${github.url}/login/oauth/access_token`, {
        method: 'POST',
        headers: { ...ACCEPT, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: config.clientId, client_secret: config.clientSecret ?? '', code, redirect_uri: redirectUri, code_verifier: flow.codeVerifier }).toString()
      }) as { access_token?: unknown, token_type?: unknown, scope?: unknown, error?: unknown }
      // GitHub answers 200 with {"error": "bad_verification_code"} for a code used twice or made up.
      if (typeof token.access_token !== 'string') throw new UpstreamError('invalid_callback', `github: the code was refused (${typeof token.error === 'string' ? token.error : 'no access token'})`)
      const auth = { ...ACCEPT, authorization: `Bearer ${token.access_token}` }
      const user = await call(`${github.apiUrl}/user`, { headers: auth }) as { id?: unknown }
      const emails = await call(`${github.apiUrl}/user/emails`, { headers: auth }) as Array<{ email?: unknown, primary?: unknown, verified?: unknown }>
      if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new UpstreamError('invalid_callback', 'github: /user gave no id')
      const primary = Array.isArray(emails) ? emails.find(entry => entry.primary === true && typeof entry.email === 'string') : undefined
      return {
        issuer: github.url,
        subject: String(user.id),
        email: typeof primary?.email === 'string' ? primary.email : null,
        emailVerified: primary?.verified === true,
        tokens: { access_token: token.access_token, scope: token.scope }
      }
    }
  }
}
