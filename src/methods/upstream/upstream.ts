// Sign-in with another identity provider, the method (API.md v3, "Sign in with another
// identity provider"). A provider's callback proves an identity (issuer, subject); this
// module decides which account that is, by the contract's rules, and hands the proof to
// the one sign-in flow (flows/login), so the account's state, verification rule and second
// factor apply as to any other way in:
// - an identity already linked signs in to its account (a changed email at the provider
//   moves nothing: the subject decides);
// - else an account with the same address is linked only when the provider says the
//   address is verified AND the account's address is verified (the owner gets a notice);
//   otherwise refused: the person signs in another way and links from the account page;
// - else a new account, its address verified when the provider says so.
import type { AuthContext, Requester } from '../../auth/context.js'
import { normalizeEmail } from '../../auth/emails.js'
import { AuthError } from '../../auth/errors.js'
import { queueNotice } from '../../auth/outgoing-mail.js'
import type { Config, UpstreamProviderConfig } from '../../config.js'
import { isUniqueViolation } from '../../db/errors.js'
import type { Db } from '../../db/index.js'
import { createPasswordlessUser, findUserByEmail, findUserById, type UserAccount } from '../../features/users/users.js'
import { failSignIn, type Proof } from '../../flows/login/login.js'
import { hasPassword } from '../../identity/password-credential.js'
import { DEFAULT_LANGUAGE, type Language } from '../../i18n/languages.js'
import { secondFactorNotice } from '../../mail/messages.js'
import { countPasskeys } from '../passkey/passkeys.js'
import { createGitHubProvider } from './github.js'
import { countIdentities, deleteIdentity, findIdentity, type Identity, insertIdentity, listIdentities, touchIdentity } from './identities.js'
import { createOidcProvider } from './oidc-client.js'
import { UpstreamError, type UpstreamIdentity, type UpstreamProvider } from './provider.js'
import { beginUpstreamFlow, takeUpstreamFlow, type UpstreamFlow } from './flows.js'
import { callbackUrl, flowTokenOf } from './flow-cookie.js'

/** The providers of OIDC_PROVIDERS, by name. */
export function createUpstreamProviders (config: Config): ReadonlyMap<string, UpstreamProvider> {
  return new Map(config.upstream.map(provider => [provider.name, provider.preset === 'github'
    ? createGitHubProvider(provider)
    : createOidcProvider(provider, { allowHttp: config.env !== 'production' })]))
}

/** The method a session records for a provider: `oidc:google`. */
export const methodOf = (provider: UpstreamProviderConfig): `oidc:${string}` => `oidc:${provider.name}`

/** The provider's tokens as stored: sealed under ENCRYPTION_KEY with OIDC_<NAME>_KEEP_TOKENS, else nothing. */
function tokensToKeep (ctx: AuthContext, provider: UpstreamProviderConfig, identity: UpstreamIdentity): string | null {
  if (!provider.keepTokens) return null
  return JSON.stringify(ctx.secretBox.seal(JSON.stringify(identity.tokens), `identity-tokens:${identity.issuer}:${identity.subject}`))
}

async function linked (ctx: AuthContext, trx: Db, user: UserAccount, provider: UpstreamProviderConfig, identity: UpstreamIdentity, from: Requester): Promise<void> {
  const now = ctx.now()
  try {
    await insertIdentity(trx, { userId: user.id, provider: provider.name, issuer: identity.issuer, subject: identity.subject, email: identity.email, emailVerified: identity.emailVerified, tokens: tokensToKeep(ctx, provider, identity), now })
  } catch (error) {
    if (isUniqueViolation(error)) throw new AuthError('IDENTITY_TAKEN')
    throw error
  }
  await ctx.events.publish(trx, { type: 'identity.linked', userId: user.id, at: now, actor: from, details: { provider: provider.name } })
  await queueNotice(ctx, trx, secondFactorNotice('identity_linked', { to: user.email, language: user.language, at: now, ip: from.ip, provider: provider.label }), user.id)
}

/**
 * Which account the provider's identity signs in to, by the rules above; the proof for
 * completeSignIn. Refusals: IDENTITY_NOT_LINKED (an account has the address, unverified on
 * one side; recorded as a failed sign-in of that account), IDENTITY_WITHOUT_EMAIL.
 */
export async function proveUpstreamIdentity (ctx: AuthContext, provider: UpstreamProviderConfig, identity: UpstreamIdentity, from: Requester, language: Language = DEFAULT_LANGUAGE): Promise<Proof> {
  const methods = [methodOf(provider)]
  const known = await findIdentity(ctx.db, identity.issuer, identity.subject)
  if (known !== undefined) {
    const user = await findUserById(ctx.db, known.userId)
    if (user === undefined) throw new AuthError('INVALID_CALLBACK')
    await touchIdentity(ctx.db, known.id, { email: identity.email, emailVerified: identity.emailVerified, tokens: tokensToKeep(ctx, provider, identity), now: ctx.now() })
    return { user, methods }
  }
  if (identity.email === null) throw new AuthError('IDENTITY_WITHOUT_EMAIL')
  const email = normalizeEmail(identity.email)
  const existing = await findUserByEmail(ctx.db, email)
  if (existing !== undefined) {
    // A disabled account is refused by the sign-in flow, as by password: nothing is linked to it.
    if (existing.disabled) return { user: existing, methods }
    if (!identity.emailVerified || !existing.emailVerified) {
      await failSignIn(ctx, { userId: existing.id, method: methods[0] ?? 'password', reason: 'identity_not_linked' }, from)
      throw new AuthError('IDENTITY_NOT_LINKED')
    }
    await ctx.db.transaction().execute(async trx => { await linked(ctx, trx, existing, provider, identity, from) })
    ctx.outbox.wake()
    return { user: existing, methods }
  }
  const userId = await ctx.db.transaction().execute(async trx => {
    const id = await createPasswordlessUser(ctx, trx, { email, verified: identity.emailVerified, language, details: { method: methods[0] ?? '' } }, from)
    await insertIdentity(trx, { userId: id, provider: provider.name, issuer: identity.issuer, subject: identity.subject, email: identity.email, emailVerified: identity.emailVerified, tokens: tokensToKeep(ctx, provider, identity), now: ctx.now() })
    return id
  })
  ctx.outbox.wake()
  const user = await findUserById(ctx.db, userId)
  if (user === undefined) throw new AuthError('INVALID_CALLBACK')
  return { user, methods }
}

/** Links the provider's identity to the account that asked from its account page (a fresh
 *  session, checked when the link began). IDENTITY_TAKEN when another account has it. */
export async function linkUpstreamIdentity (ctx: AuthContext, userId: number, provider: UpstreamProviderConfig, identity: UpstreamIdentity, from: Requester): Promise<void> {
  const user = await findUserById(ctx.db, userId)
  if (user === undefined || user.disabled) throw new AuthError('FORBIDDEN')
  const known = await findIdentity(ctx.db, identity.issuer, identity.subject)
  if (known !== undefined) {
    if (known.userId !== userId) throw new AuthError('IDENTITY_TAKEN')
    return
  }
  await ctx.db.transaction().execute(async trx => { await linked(ctx, trx, user, provider, identity, from) })
  ctx.outbox.wake()
}

/** The account's identities, as GET /account/identities and the account page show them. */
export async function identitiesOf (ctx: AuthContext, userId: number): Promise<Identity[]> {
  return await listIdentities(ctx.db, userId)
}

/** Removes one of the account's identities, never its last way in (a password, a passkey,
 *  or another identity must remain): LAST_SIGN_IN_METHOD, NOT_FOUND. */
export async function unlinkUpstreamIdentity (ctx: AuthContext, userId: number, id: string, from: Requester, labelOf: (provider: string) => string): Promise<void> {
  const user = await findUserById(ctx.db, userId)
  if (user === undefined) throw new AuthError('FORBIDDEN')
  const identity = (await listIdentities(ctx.db, userId)).find(entry => entry.id === id)
  if (identity === undefined) throw new AuthError('NOT_FOUND', 'no such linked account')
  await ctx.db.transaction().execute(async trx => {
    const others = await countIdentities(trx, userId) - 1 + await countPasskeys(trx, userId) + (await hasPassword(trx, userId) ? 1 : 0)
    if (others < 1) throw new AuthError('LAST_SIGN_IN_METHOD')
    if (!await deleteIdentity(trx, userId, id)) throw new AuthError('NOT_FOUND', 'no such linked account')
    const now = ctx.now()
    await ctx.events.publish(trx, { type: 'identity.unlinked', userId, at: now, actor: from, details: { provider: identity.provider } })
    await queueNotice(ctx, trx, secondFactorNotice('identity_unlinked', { to: user.email, language: user.language, at: now, ip: from.ip, provider: labelOf(identity.provider) }), userId)
  })
  ctx.outbox.wake()
}

/** Begins a sign-in (linkUserId null) or a link at the provider: the flow, its
 *  authorization URL, and the token of the cookie that binds it to this browser
 *  (flow-cookie.ts). A link needs the account's address verified (EMAIL_NOT_VERIFIED),
 *  as every added way in does. UpstreamError when the provider's discovery fails. */
export async function beginAtProvider (ctx: AuthContext, provider: UpstreamProvider, options: { linkUserId: number | null, returnTo: string | null }): Promise<{ url: URL, token: string }> {
  if (options.linkUserId !== null && (await findUserById(ctx.db, options.linkUserId))?.emailVerified !== true) {
    throw new AuthError('EMAIL_NOT_VERIFIED', 'verify your email address before linking another provider')
  }
  const { token, flow } = await beginUpstreamFlow(ctx.db, { provider: provider.config.name, linkUserId: options.linkUserId, returnTo: options.returnTo, now: ctx.now() })
  return { url: await provider.authorizationUrl(flow, callbackUrl(ctx.config, provider.config.name)), token }
}

/** What an UpstreamError's causes say, for the operator's log (the library's and Node's
 *  words: "fetch failed: connect ECONNREFUSED 10.0.0.7:443"; never a token or a secret). */
export function causeOf (error: UpstreamError): string {
  const words: string[] = []
  for (let cause: unknown = error.cause; cause instanceof Error && words.length < 4; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code
    words.push(typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message)
  }
  return words.join(': ')
}

/** The flow the browser's cookie header names, taken (single use), or null. */
export async function takeFlowOf (ctx: AuthContext, cookieHeader: string | undefined): Promise<UpstreamFlow | null> {
  return await takeUpstreamFlow(ctx.db, flowTokenOf(cookieHeader), ctx.now())
}
