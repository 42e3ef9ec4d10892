// Back-channel logout (API.md v3, "OpenID Connect provider", Logout): when a session of this
// service ends, each client application it signed in to (session-clients.ts) gets a logout
// token through the outbox, so a client that is down gets it later (logout-token.ts signs
// and sends it).
//
// A session ends in many ways (sign-out, a revoke from the account or the CLI, a password
// change or reset, a disable, a deletion, its expiry, the sweep), and more will come. So the
// rule is one condition on the data, not a hook in each path: a row of oidc_session_clients
// whose session is gone or expired is owed a token. In ONE transaction the row is removed
// (the claim: of two removers one wins) and the token's message written to the outbox; a
// crash before the commit leaves the row for the next pass, after it leaves the message for
// the sender. Two callers apply it:
// - the scheduled job (BACKCHANNEL_LOGOUT_SCAN_INTERVAL), over every row: the guarantee,
//   whatever ended the session, expiry and paths without an event included;
// - a security-event subscriber, for the events that end sessions, over the account's rows
//   only, inside the transaction of the change itself: the token is queued with the change
//   (no wait for the job), and for `user.deleted`, published before the account row goes,
//   while the account's subject can still be read (the job would find it gone).
// The library's own back-channel sending (RP-initiated logout) is routed here too
// (fromLibrary): it claims the same rows, so no client is told twice, nor by a path that
// bypasses the outbox and its SSRF guard.
import type { SecretBox } from '../auth/secret-box.js'
import type { SecurityEventSubscriber, SecurityEventType } from '../auth/events.js'
import type { Db } from '../db/index.js'
import { findUserBySubject, subjectOf } from '../features/users/users.js'
import { insertOutboxMessage } from '../outbox/outbox.js'
import { findClientMetadata } from './clients.js'
import type { LogoutMessage } from './logout-token.js'
import { findEndedSessionClients, listSessionClientsOfUser, type SessionClient, takeSessionClient } from './session-clients.js'

/** The outbox kind of a logout token's message (`authsvc outbox`). */
export const LOGOUT_KIND = 'backchannel_logout'

/** The events whose change ends sessions. Missing one delays its tokens to the job's next
 *  pass; it loses none. */
const ENDING_EVENTS: ReadonlySet<SecurityEventType> = new Set(['logout', 'session.revoked', 'password.changed', 'password.reset', 'user.disabled', 'user.deleted'])

const BATCH = 100
/** Batches per pass at most: a pass never runs unbounded, the next one goes on. */
const MAX_BATCHES = 50

export interface BackchannelLogoutOptions {
  readonly db: Db
  readonly box: SecretBox
  readonly now: () => number
  /** OUTBOX_GIVE_UP_AFTER, in milliseconds. */
  readonly giveUpAfterMs: number
  /** Wakes the outbox's sender. */
  readonly wake: () => void
}

export interface BackchannelLogout {
  /** The job's pass: queues the token of every row whose session ended; returns how many. */
  queueEnded: () => Promise<number>
  /** Whether any row's session ended (the job's hasWork: a read, so an idle job writes nothing). */
  hasEnded: () => Promise<boolean>
  /** The subscriber of the events that end sessions (createSecurityEvents). */
  onEvent: SecurityEventSubscriber
  /** oidc-provider's back-channel logout of a client's sid (its RP-initiated logout names the
   *  clients to tell): queued as ours are, once. */
  fromLibrary: (clientId: string, subject: string, sid: string) => Promise<void>
}

export function createBackchannelLogout (options: BackchannelLogoutOptions): BackchannelLogout {
  const { db, box, now, giveUpAfterMs, wake } = options

  /** On `trx`: claims the row and, when its client has a backchannel_logout_uri, writes
   *  the token's message. True when a message was written. */
  async function queueToken (trx: Db, entry: SessionClient, subject: string | null): Promise<boolean> {
    if (!await takeSessionClient(trx, entry)) return false
    const uri = (await findClientMetadata(trx, entry.clientId))?.backchannel_logout_uri
    // A client deleted since, or registered without a URI: nobody to tell.
    if (typeof uri !== 'string' || uri === '') return false
    const body: LogoutMessage = { clientId: entry.clientId, uri, subject, sid: entry.sid }
    await insertOutboxMessage(trx, box, { channel: 'logout', kind: LOGOUT_KIND, userId: entry.userId, recipient: entry.clientId, body }, now(), giveUpAfterMs)
    return true
  }

  return {
    async queueEnded () {
      let queued = 0
      const subjects = new Map<number, string | null>()
      for (let batches = 0; batches < MAX_BATCHES; batches++) {
        const entries = await findEndedSessionClients(db, now(), { limit: BATCH })
        for (const entry of entries) {
          // Read before the transaction (it is written on first need: users.ts), so the
          // transaction locks the row it claims and nothing else. Null: the account is gone.
          let subject = subjects.get(entry.userId)
          if (subject === undefined) subjects.set(entry.userId, subject = await subjectOf(db, entry.userId) ?? null)
          if (await db.transaction().execute(async trx => await queueToken(trx, entry, subject))) queued++
        }
        if (entries.length < BATCH) break
      }
      return queued
    },

    async hasEnded () {
      return (await findEndedSessionClients(db, now(), { limit: 1 })).length > 0
    },

    async onEvent (trx, event) {
      if (event.userId === null || !ENDING_EVENTS.has(event.type)) return
      // user.deleted comes before the deletion (flows/settings.ts): its sessions still
      // exist, and every one of them is about to end with the account.
      const entries = event.type === 'user.deleted'
        ? await listSessionClientsOfUser(trx, event.userId)
        : await findEndedSessionClients(trx, now(), { userId: event.userId, limit: BATCH })
      if (entries.length === 0) return
      const subject = await subjectOf(trx, event.userId) ?? null
      let queued = 0
      for (const entry of entries) if (await queueToken(trx, entry, subject)) queued++
      // Taken up 50 ms later, after the change's commit as a rule; if before, the sender's
      // next poll (OUTBOX_POLL_INTERVAL) finds the messages.
      if (queued > 0) wake()
    },

    async fromLibrary (clientId, subject, sid) {
      const user = await findUserBySubject(db, subject)
      if (user === undefined) return
      const entries = (await listSessionClientsOfUser(db, user.id)).filter(entry => entry.clientId === clientId && entry.sid === sid)
      if (entries.length === 0) return
      const queued = await db.transaction().execute(async trx => {
        let count = 0
        for (const entry of entries) if (await queueToken(trx, entry, subject)) count++
        return count
      })
      if (queued > 0) wake()
    }
  }
}
