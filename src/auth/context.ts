import type { Background } from '../background.js'
import type { Config } from '../config.js'
import type { Db } from '../db/index.js'
import type { CounterStore } from '../limits/counter-store.js'
import type { OutageLog } from '../outage-log.js'
import type { SessionLookup } from '../features/sessions/session-lookup.js'
import type { SigningKeyStore } from '../provider/key-store.js'
import type { Actor, SecurityEvents } from './events.js'
import type { PasswordHasher } from './password-hasher.js'
import type { SecretBox } from './secret-box.js'

/** What the domain functions need; built once by createServices(). */
export interface AuthContext {
  readonly db: Db
  readonly config: Pick<Config, 'passwordPolicy' | 'session' | 'resetToken' | 'verification' | 'publicUrl' | 'limits' | 'ui' | 'http' | 'outbox' | 'sessionJwt'>
  /** The outbox's sender: wake() once a change that wrote mail has committed. */
  readonly outbox: { readonly wake: () => void }
  /** Counters of the abuse limits (memory or Redis). */
  readonly counters: CounterStore
  /** argon2id/bcrypt off the event loop, with a bounded queue. */
  readonly hasher: PasswordHasher
  /** Finds a session by token hash (the query of every authenticated request). */
  readonly sessionLookup: SessionLookup
  /** Runs work after the reply (reset tokens and their mail). */
  readonly background: Background
  /** Where domain operations report security events. */
  readonly events: SecurityEvents
  /** Encrypts secrets at rest (TOTP secrets) with ENCRYPTION_KEY. */
  readonly secretBox: SecretBox
  /** The signing keys of ID tokens and session JWTs (cached, re-read every 5 s). */
  readonly signingKeys: SigningKeyStore
  /** Milliseconds since the epoch. */
  readonly now: () => number
  /** Where a database failure the domain rides out is logged (rate-limited, one line per cause). */
  readonly outages: OutageLog
}

/** Who is asking: `client` holds them to their share of the hashing queue; ip and user
 *  agent go into security events and notices. */
export interface Requester extends Actor {
  readonly client?: string
}

/** What a reply may show of a user: never the password hash. */
export interface PublicUser {
  readonly id: number
  readonly email: string
}
