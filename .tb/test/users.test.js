import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PASSWORD, request, sessionCookie, signUp, startServer, uniqueEmail } from './support/server.js';
import { storedHashOf } from './support/users.js';
describe('POST /users', () => {
    let server;
    // Twenty sign-ups at once from one address below, with the hash queue at its defaults.
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    for (const encoding of ['form', 'json']) {
        it(`creates a user from a ${encoding} body`, async () => {
            const email = uniqueEmail(encoding);
            const reply = await request(server, 'POST', '/users', { email, password: PASSWORD }, { encoding });
            assert.equal(reply.status, 200);
            assert.deepEqual(reply.body, { email, message: 'user created' });
        });
    }
    it('accepts seed 004\'s hashed_password as the password field', async () => {
        const email = uniqueEmail();
        const reply = await request(server, 'POST', '/users', { email, hashed_password: PASSWORD });
        assert.equal(reply.status, 200);
        const login = await request(server, 'POST', '/sessions', { email, password: PASSWORD });
        assert.equal(login.status, 200);
    });
    it('trims and lower-cases the email for storage, replies and uniqueness', async () => {
        const email = uniqueEmail('Mixed');
        const reply = await request(server, 'POST', '/users', { email: `  ${email.toUpperCase()} `, password: PASSWORD });
        assert.equal(reply.status, 200);
        assert.equal(reply.body.email, email.toLowerCase());
        const again = await request(server, 'POST', '/users', { email: email.toLowerCase(), password: PASSWORD });
        assert.equal(again.status, 400);
        assert.deepEqual(again.body, { message: 'email already registered', code: 'email_taken' });
    });
    it('refuses an email that is already registered', async () => {
        const email = uniqueEmail();
        await request(server, 'POST', '/users', { email, password: PASSWORD });
        const reply = await request(server, 'POST', '/users', { email, password: 'another long password' }, { encoding: 'json' });
        assert.equal(reply.status, 400);
        assert.deepEqual(reply.body, { message: 'email already registered', code: 'email_taken' });
    });
    it('names a missing field', async () => {
        const noEmail = await request(server, 'POST', '/users', { password: PASSWORD });
        assert.deepEqual([noEmail.status, noEmail.body], [400, { message: 'email is required', code: 'invalid_field' }]);
        const noPassword = await request(server, 'POST', '/users', { email: uniqueEmail() }, { encoding: 'json' });
        assert.deepEqual([noPassword.status, noPassword.body], [400, { message: 'password is required', code: 'invalid_field' }]);
    });
    it('names a field of the wrong type', async () => {
        const reply = await request(server, 'POST', '/users', { email: uniqueEmail(), password: 12345678 }, { encoding: 'json' });
        assert.deepEqual([reply.status, reply.body], [400, { message: 'password must be a string', code: 'invalid_field' }]);
        const arrays = await request(server, 'POST', '/users', { email: [uniqueEmail(), uniqueEmail()], password: PASSWORD }, { encoding: 'json' });
        assert.deepEqual([arrays.status, arrays.body], [400, { message: 'email must be a string', code: 'invalid_field' }]);
    });
    it('refuses invalid emails', async () => {
        for (const email of ['', 'not-an-email', 'a@', '@b.co', 'a b@c.de', 'a@b.co\r\nBcc: x@y.z', 'a\u0000@b.co', `${'a'.repeat(250)}@b.co`, 'ü@bücher.de']) {
            const reply = await request(server, 'POST', '/users', { email, password: PASSWORD }, { encoding: 'json' });
            assert.equal(reply.status, 400, JSON.stringify(email));
            assert.match(reply.body.message, /^email /, JSON.stringify(email));
        }
    });
    it('applies the password policy and says why', async () => {
        const email = uniqueEmail('policy');
        const cases = [
            ['short', /at least 8 characters/],
            ['x'.repeat(1025), /at most 1024 characters/],
            ['password123', /too common/],
            ['Baseball1', /too common/],
            [email.split('@')[0] ?? '', /must not be your email/],
            [email, /must not be your email/]
        ];
        for (const [password, message] of cases) {
            const reply = await request(server, 'POST', '/users', { email, password }, { encoding: 'json' });
            assert.equal(reply.status, 400, password);
            assert.match(reply.body.message, message, password);
        }
    });
    it('counts password length in code points, so 8 emoji are enough', async () => {
        const reply = await request(server, 'POST', '/users', { email: uniqueEmail(), password: '🔑🔒🗝️🚪🏠🌙⭐🌊' }, { encoding: 'json' });
        assert.equal(reply.status, 200);
    });
    it('never truncates a long password', async () => {
        const email = uniqueEmail();
        const password = 'p'.repeat(100) + 'tail';
        await request(server, 'POST', '/users', { email, password });
        const prefix = await request(server, 'POST', '/sessions', { email, password: 'p'.repeat(100) });
        assert.equal(prefix.status, 401);
        const full = await request(server, 'POST', '/sessions', { email, password });
        assert.equal(full.status, 200);
    });
    it('creates exactly one user when the same email registers twenty times at once', async () => {
        const email = uniqueEmail('race');
        const replies = await Promise.all(Array.from({ length: 20 }, async () => await request(server, 'POST', '/users', { email, password: PASSWORD })));
        const statuses = replies.map(r => r.status).sort((a, b) => a - b);
        assert.equal(statuses.filter(s => s === 200).length, 1);
        assert.equal(statuses.filter(s => s === 400).length, 19);
        for (const reply of replies.filter(r => r.status === 400))
            assert.deepEqual(reply.body, { message: 'email already registered', code: 'email_taken' });
    });
    it('stores an argon2id hash, never the password', async () => {
        const email = uniqueEmail();
        await request(server, 'POST', '/users', { email, password: PASSWORD });
        const hash = await storedHashOf(server.db, { email });
        assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        assert.ok(!hash.includes(PASSWORD));
    });
});
describe('/users/:id', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('GET shows the session\'s own user with either transport', async () => {
        const user = await signUp(server);
        for (const transport of ['cookie', 'header']) {
            const reply = await request(server, 'GET', `/users/${user.id}`, undefined, { session: user.token, transport });
            assert.equal(reply.status, 200);
            assert.deepEqual(reply.body, { email: user.email, id: user.id });
        }
    });
    it('is 403 for another user, a missing user, a malformed id or no session', async () => {
        const alice = await signUp(server);
        const bob = await signUp(server);
        for (const method of ['GET', 'PUT', 'DELETE']) {
            const body = method === 'PUT' ? { email: uniqueEmail() } : undefined;
            for (const id of [String(bob.id), '999999', 'abc', `0${alice.id}`, '-1']) {
                const reply = await request(server, method, `/users/${id}`, body, { session: alice.token });
                assert.equal(reply.status, 403, `${method} /users/${id}`);
                assert.equal(typeof reply.body.message, 'string');
            }
            const anonymous = await request(server, method, `/users/${alice.id}`, body);
            assert.equal(anonymous.status, 403);
            const garbage = await request(server, method, `/users/${alice.id}`, body, { session: 'not-a-token', transport: 'header' });
            assert.equal(garbage.status, 403);
        }
        const stillThere = await request(server, 'GET', `/users/${bob.id}`, undefined, { session: bob.token });
        assert.deepEqual(stillThere.body, { email: bob.email, id: bob.id });
    });
    it('PUT changes the email without current_password', async () => {
        const user = await signUp(server);
        const email = uniqueEmail('renamed');
        const reply = await request(server, 'PUT', `/users/${user.id}`, { email: email.toUpperCase() }, { session: user.token });
        assert.deepEqual([reply.status, reply.body], [200, { email, message: 'user updated' }]);
        const profile = await request(server, 'GET', '/profile', undefined, { session: user.token });
        assert.deepEqual(profile.body, { email, id: user.id });
        const login = await request(server, 'POST', '/sessions', { email, password: PASSWORD });
        assert.equal(login.status, 200);
    });
    it('PUT refuses an email that another user has', async () => {
        const alice = await signUp(server);
        const bob = await signUp(server);
        const reply = await request(server, 'PUT', `/users/${alice.id}`, { email: bob.email }, { session: alice.token, encoding: 'json' });
        assert.deepEqual([reply.status, reply.body], [400, { message: 'email already registered', code: 'email_taken' }]);
    });
    it('PUT refuses unknown and protected attributes and writes nothing', async () => {
        const user = await signUp(server);
        for (const attribute of ['id', 'hashed_password', 'password_hash', 'reset_token', 'session_id', 'is_admin']) {
            const reply = await request(server, 'PUT', `/users/${user.id}`, { email: uniqueEmail('never'), [attribute]: '1' }, { session: user.token, encoding: 'json' });
            assert.equal(reply.status, 400, attribute);
            assert.match(reply.body.message, new RegExp(`^${attribute} cannot be set`), attribute);
        }
        const profile = await request(server, 'GET', '/profile', undefined, { session: user.token });
        assert.equal(profile.body.email, user.email);
    });
    it('PUT with nothing to change is a 400', async () => {
        const user = await signUp(server);
        const reply = await request(server, 'PUT', `/users/${user.id}`, {}, { session: user.token, encoding: 'json' });
        assert.equal(reply.status, 400);
        assert.match(reply.body.message, /nothing to update/);
    });
    it('PUT refuses an invalid email and leaves the old one', async () => {
        const user = await signUp(server);
        const reply = await request(server, 'PUT', `/users/${user.id}`, { email: 'nope' }, { session: user.token });
        assert.deepEqual([reply.status, reply.body], [400, { message: 'email must be a valid email address', code: 'invalid_field' }]);
    });
    it('PUT changes the password from a fresh session; a current_password sent must be right', async () => {
        const user = await signUp(server);
        const wrong = await request(server, 'PUT', `/users/${user.id}`, { password: 'a brand new secret', current_password: 'wrong password!' }, { session: user.token });
        assert.deepEqual([wrong.status, wrong.body], [403, { message: 'current_password is incorrect', code: 'invalid_credentials' }]);
        const weak = await request(server, 'PUT', `/users/${user.id}`, { password: 'short', current_password: PASSWORD }, { session: user.token });
        assert.equal(weak.status, 400);
        const old = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.equal(old.status, 200, 'the old password still works after refused changes');
        const ok = await request(server, 'PUT', `/users/${user.id}`, { password: 'a brand new secret' }, { session: user.token, encoding: 'json' });
        assert.deepEqual([ok.status, ok.body], [200, { email: user.email, message: 'user updated' }], 'a session authenticated within REAUTH_MAX_AGE needs no current_password');
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 401);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: 'a brand new secret' })).status, 200);
    });
    it('PUT with a new password ends the user\'s other sessions but keeps this one', async () => {
        const user = await signUp(server);
        const other = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }));
        const reply = await request(server, 'PUT', `/users/${user.id}`, { password: 'a brand new secret', current_password: PASSWORD }, { session: user.token });
        assert.equal(reply.status, 200);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 200);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: other })).status, 403);
    });
    it('DELETE removes the user, every session and reset token of theirs', async () => {
        const user = await signUp(server);
        const second = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }));
        await request(server, 'POST', '/reset_password', { email: user.email });
        const reply = await request(server, 'DELETE', `/users/${user.id}`, undefined, { session: user.token, transport: 'header' });
        assert.deepEqual([reply.status, reply.body], [200, {}]);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: second })).status, 403);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 401);
        const sessions = await server.db.selectFrom('sessions').select('id').where('user_id', '=', user.id).execute();
        const tokens = await server.db.selectFrom('one_time_tokens').select('id').where('user_id', '=', user.id).execute();
        assert.deepEqual([sessions, tokens], [[], []]);
        const again = await request(server, 'POST', '/users', { email: user.email, password: PASSWORD });
        assert.equal(again.status, 200, 'the email is free again');
    });
});
