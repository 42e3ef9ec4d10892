// Imports the users of the course service (Flask + SQLAlchemy, SQLite) into our database,
// keeping ids and emails, so they log in with their old passwords (bcrypt, re-hashed to
// argon2id at the first login). A live session_id becomes a session of ours (stored as
// its SHA-256, with the usual expiry from the import), so the users stay signed in; the
// reset_token column is ignored (a reset starts anew).
import SQLite from 'better-sqlite3';
import { normalizeEmail } from '../auth/emails.js';
import { AuthError } from '../auth/errors.js';
import { bcryptCostOf } from '../auth/password-forms.js';
import { adoptSession } from '../features/sessions/sessions.js';
import { findUsersByIdOrEmail, highestUserIdEverHeld, insertUserWithId } from '../features/users/users.js';
import { isWellFormedSessionToken } from '../auth/tokens.js';
import { syncUserIdSequence } from '../db/sequences.js';
export class LegacyImportError extends Error {
    constructor(message) {
        super(message);
        this.name = 'LegacyImportError';
    }
}
function readLegacyRows(sourceFile) {
    let source;
    try {
        source = new SQLite(sourceFile, { readonly: true, fileMustExist: true });
    }
    catch (error) {
        throw new LegacyImportError(`cannot open ${sourceFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
        const columns = source.prepare("SELECT name FROM pragma_table_info('users')").all().map(c => c.name);
        const missing = ['id', 'email', 'hashed_password'].filter(name => !columns.includes(name));
        if (missing.length > 0) {
            throw new LegacyImportError(`${sourceFile} is not a course-service database: table users lacks ${missing.join(', ')}`);
        }
        const session = columns.includes('session_id') ? ', session_id' : '';
        return source.prepare(`SELECT id, email, hashed_password${session} FROM users ORDER BY id`).all();
    }
    catch (error) {
        if (error instanceof LegacyImportError)
            throw error;
        throw new LegacyImportError(`cannot read ${sourceFile}: ${error instanceof Error ? error.message : String(error)}`);
    }
    finally {
        source.close();
    }
}
/** Checks one row; returns the reason it cannot be imported, or the clean row. */
function validateRow(row) {
    if (typeof row.id !== 'number' || !Number.isSafeInteger(row.id) || row.id < 1)
        return 'id is not a positive integer';
    if (typeof row.email !== 'string')
        return 'email is missing';
    let email;
    try {
        email = normalizeEmail(row.email);
    }
    catch (error) {
        if (error instanceof AuthError)
            return error.message;
        throw error;
    }
    // SQLAlchemy stored bcrypt's bytes: a BLOB, or TEXT when the column was a String.
    const stored = Buffer.isBuffer(row.hashed_password) ? row.hashed_password.toString('utf8') : row.hashed_password;
    if (typeof stored !== 'string' || bcryptCostOf(stored) === null)
        return 'hashed_password is not a bcrypt hash';
    // A session id of another shape was never the course's (uuid4): not kept.
    const sessionId = typeof row.session_id === 'string' && isWellFormedSessionToken(row.session_id) ? row.session_id : null;
    return { id: row.id, email, passwordHash: stored, sessionId };
}
export async function importLegacyUsers(db, sourceFile, { session, now = Date.now() }) {
    const rejected = [];
    let duplicateEmails = 0;
    const valid = [];
    const seenEmails = new Map();
    for (const row of readLegacyRows(sourceFile)) {
        const result = validateRow(row);
        if (typeof result === 'string') {
            rejected.push({ id: row.id, email: row.email, reason: result });
            continue;
        }
        const earlier = seenEmails.get(result.email);
        if (earlier !== undefined) {
            duplicateEmails += 1;
            rejected.push({ id: row.id, email: row.email, reason: `same email as id ${earlier} once lower-cased` });
            continue;
        }
        seenEmails.set(result.email, result.id);
        valid.push(result);
    }
    let imported = 0;
    let alreadyPresent = 0;
    let sessionsKept = 0;
    // One transaction: a failure midway leaves the database as it was.
    await db.transaction().execute(async (trx) => {
        // Ids are never reused: a deleted account's audit events keep its id. An id at or
        // below the highest ever held is refused, a gap below it included (whether it was a
        // deleted account's is not recorded); into a fresh database every id goes.
        const highestHeld = await highestUserIdEverHeld(trx);
        for (const row of valid) {
            const existing = await findUsersByIdOrEmail(trx, row.id, row.email);
            // oxlint-disable-next-line typescript/no-unnecessary-condition -- existing[0] may be undefined (noUncheckedIndexedAccess): tsc needs the ?.
            if (existing.length === 1 && existing[0]?.id === row.id && existing[0]?.email === row.email) {
                alreadyPresent += 1;
            }
            else if (existing.length > 0) {
                const other = existing.map(user => `id ${user.id} <${user.email}>`).join(', ');
                rejected.push({ id: row.id, email: row.email, reason: `conflicts with existing user ${other}` });
            }
            else if (row.id <= highestHeld) {
                rejected.push({ id: row.id, email: row.email, reason: `id ${row.id} is at or below the highest id ever held here (${highestHeld}): ids are never reused, a deleted account's included` });
            }
            else {
                await insertUserWithId(trx, { id: row.id, email: row.email, passwordHash: row.passwordHash, now });
                imported += 1;
                if (row.sessionId !== null) {
                    await adoptSession(trx, row.id, row.sessionId, now, session);
                    sessionsKept += 1;
                }
            }
        }
        await syncUserIdSequence(trx);
    });
    return { imported, alreadyPresent, sessionsKept, duplicateEmails, rejected };
}
