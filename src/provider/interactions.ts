// What an authorization request waiting on the person (an "interaction" of oidc-provider)
// needs next, decided from the session of this service: the login flow of this service
// signs the person in (every method and the second factor, on /ui/login); this module only
// tells the library who signed in, how and when, and records consent.
import type Provider from 'oidc-provider'
import type { InteractionResults } from 'oidc-provider'
import type { AuthContext, Requester } from '../auth/context.js'
import type { ValidSession } from '../features/sessions/sessions.js'
import { subjectOf } from '../features/users/users.js'
import { amrOf } from '../identity/methods.js'
import { reportProviderEvent } from './events.js'
import { interactionSeenAt, rememberGrant } from './records.js'
import { PROVIDER_TTL } from './provider.js'

export type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>

export type LoginStep =
  /** No session here: sign in first (then come back). */
  | { readonly kind: 'sign_in' }
  /** A session, but the client asks for a fresh authentication (prompt=login, max_age). */
  | { readonly kind: 'reauthenticate' }
  /** The session answers the request: hand it to the library. */
  | { readonly kind: 'finish', readonly result: InteractionResults }

/** The next step of a `login` interaction for the browser's session (null: none). */
export async function nextLoginStep (ctx: AuthContext, interaction: Interaction, session: ValidSession | null): Promise<LoginStep> {
  const { db } = ctx
  const now = ctx.now()
  if (session === null) return { kind: 'sign_in' }
  const maxAge = interaction.params.max_age
  // max_age: authenticated recently enough. prompt=login: authenticated since this service
  // first saw the request.
  if (typeof maxAge === 'number' && now - session.authenticatedAt > maxAge * 1000) return { kind: 'reauthenticate' }
  if (interaction.prompt.reasons.includes('login_prompt') && session.authenticatedAt <= await interactionSeenAt(db, interaction.uid, now, PROVIDER_TTL.Interaction)) return { kind: 'reauthenticate' }
  const subject = await subjectOf(db, session.user.id)
  if (subject === undefined) return { kind: 'sign_in' }
  return {
    kind: 'finish',
    result: { login: { accountId: subject, amr: amrOf(session.methods), ts: Math.floor(session.authenticatedAt / 1000), remember: true } }
  }
}

/** Whether the client was registered as first party (`--first-party`): no consent asked. */
export async function isFirstParty (provider: Provider, clientId: string): Promise<boolean> {
  const client = await provider.Client.find(clientId)
  return client?.metadata().first_party === true
}

/** The client's name, as its consent page shows it. */
export async function clientNameOf (provider: Provider, clientId: string): Promise<string> {
  const client = await provider.Client.find(clientId)
  return client?.clientName ?? clientId
}

/** Grants what the interaction asks for (scopes, claims), reports it (`oidc.consent_granted`,
 *  `first_party` when no one was asked) and returns the consent result. */
export async function grantConsent (ctx: AuthContext, provider: Provider, interaction: Interaction, from: Requester, firstParty: boolean): Promise<InteractionResults> {
  const accountId = interaction.session?.accountId
  if (accountId === undefined) throw new Error('consent without a signed-in account')
  const grant = interaction.grantId === undefined
    ? new provider.Grant({ accountId, clientId: String(interaction.params.client_id) })
    : await provider.Grant.find(interaction.grantId)
  if (grant === undefined) throw new Error('the grant of this interaction is gone')
  const details = interaction.prompt.details as { missingOIDCScope?: string[], missingOIDCClaims?: string[], missingResourceScopes?: Record<string, string[]> }
  if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '))
  if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims)
  for (const [indicator, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '))
  const grantId = await grant.save()
  if (grant.clientId !== undefined) await rememberGrant(ctx.db, { accountId, clientId: grant.clientId, grantId, expiresAt: ctx.now() + PROVIDER_TTL.Grant * 1000 })
  await reportProviderEvent(ctx, { type: 'oidc.consent_granted', subject: accountId, clientId: grant.clientId ?? null, details: { scope: (details.missingOIDCScope ?? []).join(' '), first_party: firstParty } }, from)
  return { consent: interaction.grantId === undefined ? { grantId } : {} }
}

/** The scopes the consent page lists. */
export function requestedScopes (interaction: Interaction): string[] {
  const details = interaction.prompt.details as { missingOIDCScope?: string[] }
  const { scope } = interaction.params
  return details.missingOIDCScope ?? (typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [])
}
