/** Inserts an account with this password hash (a legacy bcrypt one, say); returns its id. */
export async function insertUserWithHash(db, user) {
    const now = Date.now();
    const insert = db.insertInto('users').values({ ...(user.id === undefined ? {} : { id: user.id }), email: user.email, created_at: now, updated_at: now });
    await insert.execute();
    const { id } = await db.selectFrom('users').select('id').where('email', '=', user.email).executeTakeFirstOrThrow();
    await db.insertInto('password_credentials').values({ user_id: id, hash: user.hash, created_at: now, updated_at: now }).execute();
    return id;
}
/** The stored hash of the account's password. */
export async function storedHashOf(db, where) {
    let query = db.selectFrom('password_credentials').innerJoin('users', 'users.id', 'password_credentials.user_id').select('password_credentials.hash');
    query = 'email' in where ? query.where('users.email', '=', where.email) : query.where('users.id', '=', where.id);
    return (await query.executeTakeFirstOrThrow()).hash;
}
