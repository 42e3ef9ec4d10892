// What the OpenID Connect provider did, as security events (the audit log and the metrics
// take them from there): consent given, tokens issued, an old refresh token used again
// (the library then revoked the whole grant), a sign-out asked by an application. The
// library knows accounts by their subject; the events name the account's id.
import type { AuthContext, Requester } from '../auth/context.js'
import type { EventDetails } from '../auth/events.js'
import { findUserBySubject } from '../features/users/users.js'

export type ProviderEventType = 'oidc.consent_granted' | 'oidc.token_issued' | 'oidc.refresh_reused' | 'oidc.logout'

export interface ProviderEvent {
  readonly type: ProviderEventType
  /** The account's subject, when the event concerns one. */
  readonly subject: string | null
  readonly clientId: string | null
  readonly details?: EventDetails
}

export async function reportProviderEvent (ctx: AuthContext, event: ProviderEvent, from: Requester): Promise<void> {
  const user = event.subject === null ? undefined : await findUserBySubject(ctx.db, event.subject)
  const details: EventDetails = { ...(event.clientId === null ? {} : { client_id: event.clientId }), ...event.details }
  await ctx.events.publish(ctx.db, { type: event.type, userId: user?.id ?? null, at: ctx.now(), actor: from, details })
}
