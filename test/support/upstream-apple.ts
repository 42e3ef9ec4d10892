// Apple's ways in the fake upstream (upstream-oidc.ts with `apple`), as Sign in with Apple
// documents them: a client's secret is not a stored string but a JWT the client signs with
// its private key — ES256, header `kid` the key's id, `iss` the team id, `sub` the client
// id, `aud` the issuer, `exp` at most six months after `iat` — checked here against the
// public half; and an authorization request that asks for scopes must ask for form_post.
// The library's own secret comparison is replaced for the fake's clients (the way
// src/provider/provider.ts wraps it), so a wrong key, team, client or audience is refused
// by the token endpoint with invalid_client, as Apple refuses it.
import { decodeProtectedHeader, jwtVerify } from 'jose'
import type Provider from 'oidc-provider'

export interface AppleClientKey {
  /** The public half of the client's signing key (jose generateKeyPair('ES256')). */
  readonly publicKey: CryptoKey
  readonly keyId: string
  readonly teamId: string
}

/** A client secret the token endpoint was given; `refused`: why it was refused, null if accepted. */
export interface PresentedSecret {
  readonly clientId: string
  readonly jwt: string
  readonly refused: string | null
}

/** Apple's limit on a client secret's life: `exp` no later than this after `iat`. */
const MAX_SECRET_TTL_SECONDS = 15_777_000
/** A clock ahead of this one by more than this has signed in the future. */
const CLOCK_TOLERANCE_SECONDS = 60

/** Apple: "If you requested any scopes, the value must be form_post." */
export function refusesWithoutFormPost (params: URLSearchParams): boolean {
  const scopes = (params.get('scope') ?? '').split(' ')
  return scopes.some(scope => scope === 'email' || scope === 'name') && params.get('response_mode') !== 'form_post'
}

async function whyRefused (jwt: string, clientId: string, issuer: string, key: AppleClientKey): Promise<string | null> {
  try {
    const header = decodeProtectedHeader(jwt)
    if (header.kid !== key.keyId) return `kid ${JSON.stringify(header.kid)} is not the key's`
    const { payload } = await jwtVerify(jwt, key.publicKey, { algorithms: ['ES256'], issuer: key.teamId, subject: clientId, audience: issuer, requiredClaims: ['iat', 'exp'] })
    const issuedAt = payload.iat ?? 0
    if ((payload.exp ?? 0) - issuedAt > MAX_SECRET_TTL_SECONDS) return 'exp is more than six months after iat'
    if (issuedAt > Date.now() / 1000 + CLOCK_TOLERANCE_SECONDS) return 'iat is in the future'
    return null
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  }
}

/** Makes `library`'s token endpoint take a client's secret only as Apple's JWT signed with
 *  `key`; what was presented, and the verdict, goes to `presented`. */
export function checkAppleClientSecrets (library: Provider, key: AppleClientKey, presented: PresentedSecret[]): void {
  library.Client.prototype.compareClientSecret = async function (this: InstanceType<Provider['Client']>, actual: string): Promise<boolean> {
    const refused = await whyRefused(actual, this.clientId, library.issuer, key)
    presented.push({ clientId: this.clientId, jwt: actual, refused })
    return refused === null
  }
}
