// Accounts: sign-up, and the users table: its queries and the mapping of its rows (other
// modules get camelCase objects). Changes of password or email and deletion go through
// flows/settings.ts, the only paths that change them.
import { sql } from 'kysely';
import { normalizeEmail } from '../../auth/emails.js';
import { AuthError } from '../../auth/errors.js';
import { checkPasswordPolicy } from '../../auth/password-policy.js';
import { isUniqueViolation } from '../../db/errors.js';
import { DEFAULT_LANGUAGE, isLanguage } from '../../i18n/languages.js';
import { insertPasswordHash } from '../../identity/password-credential.js';
import { queueMail } from '../../auth/outgoing-mail.js';
import { issueVerification } from '../verification/verification-mail.js';
function toUserAccount(row) {
    return {
        id: row.id,
        email: row.email,
        disabled: row.disabled_at !== null,
        language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE,
        emailVerified: row.email_verified_at !== null
    };
}
export function toPublicUser(user) {
    return { id: user.id, email: user.email };
}
const USER_COLUMNS = ['id', 'email', 'disabled_at', 'language', 'email_verified_at'];
export async function findUserByEmail(db, email) {
    const row = await db.selectFrom('users').select(USER_COLUMNS).where('email', '=', email).executeTakeFirst();
    return row === undefined ? undefined : toUserAccount(row);
}
export async function findUserById(db, id) {
    const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toUserAccount(row);
}
export async function isEmailTaken(db, email) {
    const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    return row !== undefined;
}
/** INSERT that returns the new id: RETURNING where the database has it, else the driver's insert id. */
async function insertUser(db, values) {
    const insert = db.insertInto('users').values({ email: values.email, created_at: values.now, updated_at: values.now, language: values.language });
    if (db.getExecutor().adapter.supportsReturning)
        return (await insert.returning('id').executeTakeFirstOrThrow()).id;
    return Number((await insert.executeTakeFirstOrThrow()).insertId);
}
/** The users holding this id or this email (import-legacy's conflict check). */
export async function findUsersByIdOrEmail(db, id, email) {
    const rows = await db.selectFrom('users').select(['id', 'email'])
        .where(eb => eb.or([eb('id', '=', id), eb('email', '=', email)]))
        .execute();
    return rows.map(toPublicUser);
}
/** Inserts a user under an id chosen elsewhere (import-legacy keeps the course's ids), with its password hash. */
export async function insertUserWithId(db, user) {
    await db.insertInto('users')
        .values({ id: user.id, email: user.email, created_at: user.now, updated_at: user.now })
        .execute();
    await insertPasswordHash(db, user.id, user.passwordHash, user.now);
}
/** Creates the account and, in the same transaction, its verification mail; returns it, the
 *  email as stored (normalized). `language` is that of its mail (the sign-up's
 *  Accept-Language), English when not given. */
export async function registerUser(ctx, input, from) {
    const email = normalizeEmail(input.email);
    checkPasswordPolicy(ctx.config.passwordPolicy, input.password, email);
    // Checked before hashing to spare the hash; the unique index decides the races.
    if (await isEmailTaken(ctx.db, email))
        throw new AuthError('EMAIL_TAKEN');
    const passwordHash = await ctx.hasher.hash(input.password, from.client);
    const now = ctx.now();
    try {
        const language = input.language ?? DEFAULT_LANGUAGE;
        // The account, its first verification link and the mail that carries it are made together.
        const id = await ctx.db.transaction().execute(async (trx) => {
            const id = await insertUser(trx, { email, now, language });
            await insertPasswordHash(trx, id, passwordHash, now);
            await ctx.events.publish(trx, { type: 'user.created', userId: id, at: now, actor: from });
            await queueMail(ctx, trx, await issueVerification(ctx, trx, { id, email, language }, from, { newAccount: true }), id);
            return id;
        });
        ctx.outbox.wake();
        return { id, email };
    }
    catch (error) {
        if (isUniqueViolation(error))
            throw new AuthError('EMAIL_TAKEN');
        throw error;
    }
}
const ACCOUNT_COLUMNS = ['id', 'email', 'created_at', 'updated_at', 'email_verified_at', 'disabled_at', 'language'];
function toAccountRecord(row) {
    const time = (value) => value === null ? null : Number(value);
    return {
        id: Number(row.id),
        email: row.email,
        createdAt: Number(row.created_at),
        updatedAt: Number(row.updated_at),
        emailVerifiedAt: time(row.email_verified_at),
        disabledAt: time(row.disabled_at),
        language: isLanguage(row.language) ? row.language : DEFAULT_LANGUAGE
    };
}
/** The account with this id (all digits) or else this email, or undefined. */
export async function findAccount(db, idOrEmail) {
    const query = db.selectFrom('users').select(ACCOUNT_COLUMNS);
    const row = /^[1-9][0-9]{0,14}$/.test(idOrEmail)
        ? await query.where('id', '=', Number(idOrEmail)).executeTakeFirst()
        : await query.where('email', '=', idOrEmail.trim().toLowerCase()).executeTakeFirst();
    return row === undefined ? undefined : toAccountRecord(row);
}
/** The account by id, or undefined. */
export async function findAccountById(db, id) {
    const row = await db.selectFrom('users').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : toAccountRecord(row);
}
/** Moves the account to another address, verified at `verifiedAt` (an email change's
 *  link proved it) or unverified (null); false when the user is gone. A taken address
 *  fails on the unique index. */
export async function setEmail(db, userId, email, verifiedAt, now) {
    const result = await db.updateTable('users').set({ email, email_verified_at: verifiedAt, updated_at: now }).where('id', '=', userId).executeTakeFirst();
    return result.numUpdatedRows === 1n;
}
/** Deletes the account row; its sessions, credentials and tokens go with it (ON DELETE CASCADE).
 *  Its id is retired (the watermark of migration 0013, in the same transaction): its audit
 *  events stay, so no later account may hold it. */
export async function deleteUserRow(db, userId) {
    const deleted = (await db.deleteFrom('users').where('id', '=', userId).executeTakeFirst()).numDeletedRows === 1n;
    if (deleted) {
        await db.updateTable('id_watermarks').set({ highest_retired_id: userId })
            .where('name', '=', 'users').where('highest_retired_id', '<', userId)
            .execute();
    }
    return deleted;
}
/** The highest id an account has ever held, here now or deleted: an id chosen elsewhere
 *  (import-legacy) must be above it. 0 on a database that never had an account. */
export async function highestUserIdEverHeld(db) {
    const inUse = await db.selectFrom('users').select(eb => eb.fn.max('id').as('id')).executeTakeFirst();
    const retired = await db.selectFrom('id_watermarks').select('highest_retired_id').where('name', '=', 'users').executeTakeFirst();
    return Math.max(Number(inUse?.id ?? 0), Number(retired?.highest_retired_id ?? 0));
}
/** Sets the language of the account's mail; false when the user is gone. */
export async function setLanguage(db, userId, language, now) {
    const result = await db.updateTable('users').set({ language, updated_at: now }).where('id', '=', userId).executeTakeFirst();
    return result.numUpdatedRows === 1n;
}
/** Accounts by id, those whose email contains `search` when given (case-insensitively). */
export async function listAccounts(db, { search, limit }) {
    let query = db.selectFrom('users').select(ACCOUNT_COLUMNS).orderBy('id').limit(limit);
    if (search !== undefined) {
        // '!' escapes LIKE's wildcards the same way on SQLite, PostgreSQL and MySQL.
        const pattern = `%${search.trim().toLowerCase().replace(/[!%_]/g, char => `!${char}`)}%`;
        query = query.where(sql `email like ${pattern} escape '!'`);
    }
    return (await query.execute()).map(toAccountRecord);
}
/** Sets or clears disabled_at; false when nothing changed (no such user, or already so). */
export async function setDisabled(db, userId, disabledAt) {
    const query = db.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', userId);
    const result = await (disabledAt === null ? query.where('disabled_at', 'is not', null) : query.where('disabled_at', 'is', null)).executeTakeFirst();
    return result.numUpdatedRows === 1n;
}
/** Marks the email verified at `at`; false when nothing changed (no such user, or already verified). */
export async function setEmailVerified(db, userId, at) {
    const result = await db.updateTable('users').set({ email_verified_at: at })
        .where('id', '=', userId).where('email_verified_at', 'is', null)
        .executeTakeFirst();
    return result.numUpdatedRows === 1n;
}
