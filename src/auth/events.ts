// Security events: what happened to an account, by whom (IP, user agent), reported by the
// domain operation itself, inside the transaction of the change it reports, so an event
// is never recorded for a change that rolled back, nor a change made without its event.
// Subscribers (the audit log, metrics) receive the executor of that transaction; one
// that throws fails the operation. The event never holds a password, token or code.
import type { Db } from '../db/index.js'

/** Every event type, in the order of an account's life. */
export const SECURITY_EVENT_TYPES = [
  'user.created',
  'user.deleted',
  'login.succeeded',
  'login.failed',
  'login.throttled',
  'logout',
  'session.reauthenticated',
  'password.changed',
  'password.reset_requested',
  'password.reset',
  'email.change_requested',
  'email.changed',
  'email.verification_sent',
  'email.verified',
  'session.revoked',
  'user.disabled',
  'user.enabled',
  'sessions.pruned',
  'login.mfa_required',
  'totp.enabled',
  'totp.disabled',
  'recovery_code.used',
  'recovery_codes.regenerated',
  'passkey.added',
  'passkey.removed',
  'identity.linked',
  'identity.unlinked',
  'mfa.reset',
  'mail.given_up',
  'oidc.consent_granted',
  'oidc.token_issued',
  'oidc.refresh_reused',
  'oidc.logout',
  // A back-channel logout token undelivered for OUTBOX_GIVE_UP_AFTER: the client may keep the session.
  'oidc.logout_given_up',
  // An operator registered or removed a client application of the OpenID provider (userId null).
  'oidc.client_created',
  'oidc.client_deleted'
] as const

export type SecurityEventType = typeof SECURITY_EVENT_TYPES[number]

/** Who acted: the client's address and user agent, as HTTP saw them, and the id of the
 *  request (the X-Request-Id of its reply); null from a CLI. */
export interface Actor {
  readonly ip: string | null
  readonly userAgent: string | null
  readonly requestId: string | null
  /** Set for an operator's command (`authsvc users …`): the operating-system user who ran it. */
  readonly operator?: string
  /** The public handle of the session it happened through: the one presented, or the one
   *  a sign-in created. */
  readonly session?: string
}

/** What the event says besides its type: small values, never a secret. */
export type EventDetails = Readonly<Record<string, string | number | boolean>>

export interface SecurityEvent {
  readonly type: SecurityEventType
  /** The account concerned; null when there is none (a failed sign-in for an unknown email). */
  readonly userId: number | null
  /** Milliseconds since the epoch. */
  readonly at: number
  readonly actor: Actor
  readonly details?: EventDetails
}

/** Called for every event, on the executor of the change's transaction. */
export type SecurityEventSubscriber = (db: Db, event: SecurityEvent) => Promise<void> | void

export interface SecurityEvents {
  /** Hands the event to every subscriber, in order, on `db` (the change's transaction). */
  publish: (db: Db, event: SecurityEvent) => Promise<void>
  /**
   * Runs a change of one statement together with the events it publishes: in a
   * transaction while anyone subscribes, else directly (one statement needs none, and
   * sign-in on PostgreSQL is spared two round trips). A change of several statements
   * opens its own transaction.
   */
  atomically: <T>(db: Db, change: (db: Db) => Promise<T>) => Promise<T>
}

export function createSecurityEvents (subscribers: readonly SecurityEventSubscriber[]): SecurityEvents {
  return {
    async publish (db, event) {
      if (subscribers.length === 0) return
      // The actor as the event defines it: a caller's Requester carries more (its queue key).
      const { ip, userAgent, requestId, operator, session } = event.actor
      const actor: Actor = { ip, userAgent, requestId, ...(operator === undefined ? {} : { operator }), ...(session === undefined ? {} : { session }) }
      const reported: SecurityEvent = { ...event, actor }
      for (const subscriber of subscribers) await subscriber(db, reported)
    },
    async atomically (db, change) {
      return subscribers.length === 0 ? await change(db) : await db.transaction().execute(change)
    }
  }
}
