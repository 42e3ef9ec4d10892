import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { request, startServer, uniqueEmail } from './support/server.js';
import { insertUserWithHash, storedHashOf } from './support/users.js';
/** Puts a user with a bcrypt hash straight into the database, as the course service stored it. */
async function insertLegacyUser(server, email, password) {
    // Python's bcrypt writes $2b$; this library writes $2y$, the same algorithm.
    const stored = (await bcryptHash(password, 4)).replace(/^\$2y\$/, '$2b$');
    await insertUserWithHash(server.db, { email, hash: stored });
}
async function storedHash(server, email) {
    return await storedHashOf(server.db, { email });
}
describe('legacy bcrypt hashes', () => {
    let server;
    before(async () => { server = await startServer({ PASSWORD_MIN_LENGTH: '6' }); });
    after(async () => { await server.close(); });
    it('log in with the old password and are re-hashed to argon2id', async () => {
        const email = uniqueEmail('legacy');
        await insertLegacyUser(server, email, '123456');
        assert.match(await storedHash(server, email), /^\$2b\$04\$/);
        const wrong = await request(server, 'POST', '/sessions', { email, password: '1234567' });
        assert.equal(wrong.status, 401);
        assert.match(await storedHash(server, email), /^\$2b\$/, 'a failed login changes nothing');
        const reply = await request(server, 'POST', '/sessions', { email, password: '123456' });
        assert.deepEqual([reply.status, reply.body], [200, { email, message: 'logged in' }]);
        assert.match(await storedHash(server, email), /^\$argon2id\$/);
        const again = await request(server, 'POST', '/sessions', { email, password: '123456' });
        assert.equal(again.status, 200, 'the new argon2id hash verifies the same password');
    });
    it('verify the password exactly as given, without trimming', async () => {
        const email = uniqueEmail('legacy');
        await insertLegacyUser(server, email, ' spaced out ');
        assert.equal((await request(server, 'POST', '/sessions', { email, password: 'spaced out' })).status, 401);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: ' spaced out ' })).status, 200);
    });
    it('check a longer password on its first 72 bytes, as the course\'s bcrypt did, then re-hash all of it', async () => {
        const email = uniqueEmail('legacy');
        const typed = 'b'.repeat(72) + ' and eight more';
        // What the course stored for `typed`: bcrypt 3.x hashed its first 72 bytes.
        await insertLegacyUser(server, email, typed.slice(0, 72));
        const login = await request(server, 'POST', '/sessions', { email, password: typed });
        assert.equal(login.status, 200, 'the user who always typed the long password still gets in');
        assert.match(await storedHash(server, email), /^\$argon2id\$/);
        assert.equal((await request(server, 'POST', '/sessions', { email, password: typed.slice(0, 72) })).status, 401, 'from now on the whole password counts');
        assert.equal((await request(server, 'POST', '/sessions', { email, password: typed })).status, 200);
    });
    it('cut a multi-byte password at byte 72, as bcrypt did', async () => {
        const email = uniqueEmail('legacy');
        const typed = 'é'.repeat(40); // 80 bytes in UTF-8
        await insertLegacyUser(server, email, 'é'.repeat(36));
        assert.equal((await request(server, 'POST', '/sessions', { email, password: typed })).status, 200);
    });
});
