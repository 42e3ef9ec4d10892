// What the SQL really holds. Timestamps are milliseconds since the epoch in BIGINT
// columns: one representation on SQLite, PostgreSQL and MySQL, compared as numbers.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

export interface UserTable {
  id: Generated<number>
  /** Normalized: trimmed and lower-cased. Unique. */
  email: string
  /** argon2id PHC string, or a legacy bcrypt hash until the next login re-hashes it. */
  password_hash: string
  created_at: number
  updated_at: number
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
}

export interface PasswordResetTokenTable {
  /** SHA-256 (hex) of the reset token. */
  id: string
  user_id: number
  created_at: number
  expires_at: number
  used_at: number | null
}

export interface Database {
  users: UserTable
  sessions: SessionTable
  password_reset_tokens: PasswordResetTokenTable
}

export type UserRow = Selectable<UserTable>
export type NewUserRow = Insertable<UserTable>
export type UserUpdate = Updateable<UserTable>
export type SessionRow = Selectable<SessionTable>
export type PasswordResetTokenRow = Selectable<PasswordResetTokenTable>
