// What the SQL really holds. Timestamps are milliseconds since the epoch in BIGINT
// columns: one representation on SQLite, PostgreSQL and MySQL, compared as numbers.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface UserTable {
  id: Generated<number>
  /** Normalized: trimmed and lower-cased. Unique. */
  email: string
  created_at: number
  updated_at: number
  /** When an operator disabled the account (`authsvc users disable`); null while enabled. */
  disabled_at: number | null
  /** When the address was verified; null while not (accounts older than verification too). */
  email_verified_at: number | null
  /** The language of the account's mail: 'en' or 'fr' (src/i18n/languages.ts). */
  language: Generated<string>
  /** Its `sub` for OpenID Connect clients and session JWTs: random, given on first need. */
  subject: string | null
}

export interface SessionTable {
  /** SHA-256 (hex) of the session token; the token itself is never stored. */
  id: string
  user_id: number
  created_at: number
  last_seen_at: number
  /** The earlier of idle expiry (last_seen_at + idle TTL) and absolute expiry. */
  expires_at: number
  ip: string | null
  user_agent: string | null
  /** The methods that authenticated it, comma-separated in the order used ('password,totp'). */
  methods: Generated<string>
  /** When it was last authenticated: its sign-in, or its latest re-authentication. */
  authenticated_at: number | null
}

export interface PasswordCredentialTable {
  user_id: number
  /** argon2id PHC string, or a legacy bcrypt hash until the next login re-hashes it. */
  hash: string
  created_at: number
  updated_at: number
}

export interface LoginFlowTable {
  /** SHA-256 (hex) of the flow's token (the mfa_token); the token itself is never stored. */
  id: string
  user_id: number
  /** The methods proven so far, comma-separated. */
  methods: string
  /** Where the browser goes once signed in (a checked return_to), or null. */
  return_to: string | null
  /** Steps tried (counted before each is judged). */
  attempts: number
  created_at: number
  expires_at: number
}

export interface OneTimeTokenTable {
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  id: string
  /** What the token is for ('password_reset', …): a token serves its purpose only. */
  purpose: string
  user_id: number
  /** What the purpose needs besides the user (a new email address …), or null. */
  data: string | null
  created_at: number
  expires_at: number
}

export interface AuditEventTable {
  id: Generated<number>
  created_at: number
  /** A SecurityEventType ('login.failed' …). */
  type: string
  /** 'success' or 'failure'. */
  outcome: string
  /** The account concerned; null when there is none. No foreign key: the record outlives the account. */
  user_id: number | null
  /** The public handle of the session it happened through (sessions.ts sessionHandle()), or null. */
  session_handle: string | null
  ip: string | null
  user_agent: string | null
  /** A small JSON object of details; never a password, token or code. */
  details: string | null
}

export interface TotpCredentialTable {
  user_id: number
  /** The TOTP secret, AES-256-GCM encrypted (src/auth/secret-box.ts): never in the clear. */
  secret: string
  /** Which ENCRYPTION_KEY encrypted it (its fingerprint), so keys can be rotated. */
  key_id: string
  created_at: number
  /** When a first code confirmed it; null while the enrolment is pending. */
  confirmed_at: number | null
  /** The last 30-second step a code was accepted for: no code is accepted twice. */
  last_used_step: number | null
}

export interface RecoveryCodeTable {
  /** SHA-256 (hex) of the normalized code; the code itself is never stored. */
  id: string
  user_id: number
  created_at: number
}

export interface PasskeyTable {
  /** SHA-256 (hex) of the credential id. */
  id: string
  user_id: number
  /** The WebAuthn credential id, base64url. */
  credential_id: string
  /** The COSE public key, base64url. */
  public_key: string
  sign_count: number
  /** JSON array of the authenticator's transports, or null. */
  transports: string | null
  /** 'singleDevice' or 'multiDevice' (synced). */
  device_type: string
  /** 1 when the credential is backed up (synced), else 0. */
  backed_up: number
  name: string
  created_at: number
  last_used_at: number | null
}

export interface WebauthnChallengeTable {
  /** SHA-256 (hex) of the challenge. */
  id: string
  /** 'registration' or 'authentication'. */
  purpose: string
  /** The account a registration is for; null for a sign-in (nobody is known yet). */
  user_id: number | null
  expires_at: number
}

export interface JobLeaseTable {
  /** The job's name ('expired-row sweep' …). */
  name: string
  /** Which instance holds it (its instance id). */
  holder: string
  expires_at: number
}

export interface OutboxTable {
  id: Generated<number>
  /** 'mail' (webhooks next). */
  channel: string
  /** What the message is for ('password_reset' …): the metrics count by it. */
  kind: string
  /** The account it concerns, if any (no foreign key: the record outlives the account). */
  user_id: number | null
  /** The address (a mail's To) it goes to. */
  recipient: string
  /** The message, sealed under ENCRYPTION_KEY; null once sent. */
  payload: string | null
  key_id: string | null
  /** pending, sent or failed (given up). */
  status: string
  attempts: number
  created_at: number
  next_attempt_at: number
  /** After this, a failed attempt gives the message up. */
  give_up_at: number
  sent_at: number | null
  last_error: string | null
  /** The sender's mark on the attempt it took (random per batch). */
  claim: string | null
}

/** 'users': the highest id a deleted account held (see migration 0013): an import never
 *  takes an id at or below it, nor one at or below the highest id in use. */
export interface IdWatermarkTable {
  name: string
  highest_retired_id: number
}

/** What oidc-provider stores through its adapter (src/provider/adapter.ts), every model in one table. */
export interface OidcRecordTable {
  /** '<model>:<the library's id>'. */
  id: string
  model: string
  /** The library's payload, JSON. */
  payload: string
  grant_id: string | null
  uid: string | null
  user_code: string | null
  /** Null: the library gave no expiry. */
  expires_at: number | null
  consumed_at: number | null
}

/** A client application registered with `authsvc clients create` or the admin API. */
export interface OidcClientTable {
  client_id: string
  name: string
  /** The metadata the library reads (redirect_uris, …), JSON, never the secret. */
  metadata: string
  /** SHA-256 (base64url) of a confidential client's secret; null for a public client. */
  secret_hash: string | null
  /** 1: consent is not asked. */
  first_party: number
  created_at: number
}

/** A signing key of the provider and of session JWTs. */
export interface OidcKeyTable {
  kid: string
  alg: string
  /** The private JWK, sealed under ENCRYPTION_KEY. */
  private_jwk: string
  key_id: string
  created_at: number
  signs_from: number
  retired_at: number | null
}

/** A client that one of our sessions signed in to: who gets a logout token when it ends. */
export interface OidcSessionClientTable {
  /** sessions.id */
  session_id: string
  client_id: string
  user_id: number
  sid: string
  created_at: number
}

export interface IdentityTable {
  id: string
  user_id: number
  provider: string
  issuer: string
  subject: string
  email: string | null
  email_verified: number
  /** Sealed JSON of the provider's tokens (OIDC_<NAME>_KEEP_TOKENS), else null. */
  tokens: string | null
  created_at: number
  last_used_at: number | null
}

export interface UpstreamFlowTable {
  /** SHA-256 of the flow cookie's token. */
  id: string
  provider: string
  state: string
  nonce: string
  code_verifier: string
  link_user_id: number | null
  return_to: string | null
  created_at: number
  expires_at: number
}

export interface Database {
  users: UserTable
  password_credentials: PasswordCredentialTable
  sessions: SessionTable
  login_flows: LoginFlowTable
  one_time_tokens: OneTimeTokenTable
  audit_events: AuditEventTable
  totp_credentials: TotpCredentialTable
  recovery_codes: RecoveryCodeTable
  passkeys: PasskeyTable
  webauthn_challenges: WebauthnChallengeTable
  job_leases: JobLeaseTable
  outbox: OutboxTable
  id_watermarks: IdWatermarkTable
  oidc_records: OidcRecordTable
  oidc_clients: OidcClientTable
  oidc_keys: OidcKeyTable
  oidc_session_clients: OidcSessionClientTable
  identities: IdentityTable
  upstream_flows: UpstreamFlowTable
}

export type UserRow = Selectable<UserTable>
export type NewUserRow = Insertable<UserTable>
export type UserUpdate = Updateable<UserTable>
export type SessionRow = Selectable<SessionTable>
export type OneTimeTokenRow = Selectable<OneTimeTokenTable>
