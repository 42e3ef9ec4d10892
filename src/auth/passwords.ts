// Password hashing. Both libraries hash on libuv's thread pool, never on the event loop.
import { Algorithm, hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2'
import { verify as bcryptVerify } from '@node-rs/bcrypt'
import { randomBytes } from 'node:crypto'

// OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const
const ARGON2_PARAMS = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`
const BCRYPT_PREFIX = /^\$2[aby]\$\d\d\$/
// bcrypt reads at most 72 bytes; a longer password would be checked by its prefix alone.
const BCRYPT_MAX_BYTES = 72

export interface PasswordCheck {
  readonly valid: boolean
  /** The stored hash is bcrypt or weaker argon2 parameters: store a fresh argon2id hash. */
  readonly needsRehash: boolean
}

export async function hashPassword (password: string): Promise<string> {
  return await argon2Hash(password, ARGON2_OPTIONS)
}

export function isLegacyBcryptHash (stored: string): boolean {
  return BCRYPT_PREFIX.test(stored)
}

/** Verifies the password exactly as given (no trimming, no normalization). */
export async function verifyPassword (stored: string, password: string): Promise<PasswordCheck> {
  const legacy = isLegacyBcryptHash(stored)
  if (legacy && Buffer.byteLength(password) > BCRYPT_MAX_BYTES) return { valid: false, needsRehash: false }
  let valid: boolean
  try {
    valid = legacy ? await bcryptVerify(password, stored) : await argon2Verify(stored, password)
  } catch {
    // A malformed stored hash must not become a 500 for the person logging in.
    valid = false
  }
  return { valid, needsRehash: valid && (legacy || !stored.startsWith(ARGON2_PARAMS)) }
}

let dummyHash: Promise<string> | undefined

/**
 * Spends the time a real verification would, for an email that has no account, so
 * "unknown email" and "wrong password" cannot be told apart by timing.
 */
export async function verifyDummyPassword (password: string): Promise<void> {
  dummyHash ??= hashPassword(randomBytes(16).toString('base64url'))
  await verifyPassword(await dummyHash, password)
}
