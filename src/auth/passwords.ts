// Password hashing primitives. They block the thread they run on, so the service calls
// them only inside the hashing worker threads (password-hasher.ts), never on the event loop.
import { Algorithm, hashSync as argon2Hash, verifySync as argon2Verify } from '@node-rs/argon2'
import { verifySync as bcryptVerify } from '@node-rs/bcrypt'

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

export function isLegacyBcryptHash (stored: string): boolean {
  return BCRYPT_PREFIX.test(stored)
}

export function hashPasswordSync (password: string): string {
  return argon2Hash(password, ARGON2_OPTIONS)
}

/** Verifies the password exactly as given (no trimming, no normalization). */
export function verifyPasswordSync (stored: string, password: string): PasswordCheck {
  const legacy = isLegacyBcryptHash(stored)
  if (legacy && Buffer.byteLength(password) > BCRYPT_MAX_BYTES) return { valid: false, needsRehash: false }
  let valid: boolean
  try {
    valid = legacy ? bcryptVerify(password, stored) : argon2Verify(stored, password)
  } catch {
    // A malformed stored hash must not become a 500 for the person logging in.
    valid = false
  }
  return { valid, needsRehash: valid && (legacy || !stored.startsWith(ARGON2_PARAMS)) }
}
