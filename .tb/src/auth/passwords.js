// Password hashing primitives. They block the thread they run on, so the service calls
// them only inside the hashing worker threads (password-hasher.ts), never on the event loop.
import { hashSync as argon2Hash, verifySync as argon2Verify } from '@node-rs/argon2';
import { verifySync as bcryptVerify } from '@node-rs/bcrypt';
import { bcryptCostOf, normalizePassword } from './password-forms.js';
// OWASP Password Storage Cheat Sheet, argon2id: 19 MiB, 2 iterations, 1 lane.
const ARGON2_OPTIONS = { algorithm: 2 /* Algorithm.Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const ARGON2_PARAMS = `$argon2id$v=19$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=${ARGON2_OPTIONS.parallelism}$`;
// bcrypt reads at most 72 bytes: the course's bcrypt 3.x hashed the first 72 bytes of a
// longer password and ignored the rest, so that is what its hashes are checked against.
const BCRYPT_MAX_BYTES = 72;
export function hashPasswordSync(password) {
    return argon2Hash(normalizePassword(password), ARGON2_OPTIONS);
}
function matches(stored, password, legacy) {
    try {
        return legacy ? bcryptVerify(Buffer.from(password).subarray(0, BCRYPT_MAX_BYTES), stored) : argon2Verify(stored, password);
    }
    catch {
        // A malformed stored hash must not become a 500 for the person logging in.
        return false;
    }
}
/**
 * Verifies the normalized password, then, if it differs, the password exactly as typed:
 * hashes stored before passwords were normalized (legacy bcrypt ones, argon2id ones of
 * earlier versions) hold it that way. Never trimmed. Both forms are tried on a failure
 * whatever the stored hash, so the time taken does not depend on which one matched.
 */
export function verifyPasswordSync(stored, password) {
    const legacy = bcryptCostOf(stored) !== null;
    const normalized = normalizePassword(password);
    const forms = normalized === password ? [password] : [normalized, password];
    for (const [index, form] of forms.entries()) {
        if (matches(stored, form, legacy))
            return { valid: true, needsRehash: index > 0 || legacy || !stored.startsWith(ARGON2_PARAMS) };
    }
    return { valid: false, needsRehash: false };
}
