// The audit log: GET /account/events shows the session's own security events, newest
// first, paged by cursor; nothing secret is in them; old rows go in batches.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashToken } from '../src/auth/tokens.js';
import { purgeAuditEvents } from '../src/features/audit/audit.js';
import { TEST_DIALECT } from './support/database.js';
import { PASSWORD, request, sessionCookie, signUp, startServer, uniqueEmail } from './support/server.js';
describe(`GET /account/events on ${TEST_DIALECT}`, () => {
    let server;
    before(async () => { server = await startServer({ RESET_TOKEN_IN_RESPONSE: 'true' }); });
    after(async () => { await server.close(); });
    it('lists the account\'s events newest first, with time, IP and user agent, and no secret', async () => {
        const headers = { 'user-agent': 'audit-test/2.0' };
        const email = uniqueEmail('audit');
        await request(server, 'POST', '/users', { email, password: PASSWORD }, { headers });
        await request(server, 'POST', '/sessions', { email, password: 'wrong password here' }, { headers });
        const token = sessionCookie(await request(server, 'POST', '/sessions', { email, password: PASSWORD }, { headers }));
        const { reset_token: resetToken } = (await request(server, 'POST', '/reset_password', { email }, { headers })).body;
        const newPassword = 'a fresh long passphrase';
        assert.equal((await request(server, 'PUT', '/reset_password', { email, reset_token: resetToken, new_password: newPassword }, { headers })).status, 200);
        const session = sessionCookie(await request(server, 'POST', '/sessions', { email, password: newPassword }, { headers }));
        const reply = await request(server, 'GET', '/account/events', undefined, { session });
        assert.equal(reply.status, 200, reply.text);
        const { events, next } = reply.body;
        assert.deepEqual(events.map(event => event.type), ['login.succeeded', 'password.reset', 'email.verified', 'password.reset_requested', 'login.succeeded', 'login.failed', 'email.verification_sent', 'user.created']);
        assert.equal(next, null);
        for (const event of events) {
            assert.deepEqual(Object.keys(event).sort(), ['created_at', 'id', 'ip', 'type', 'user_agent']);
            assert.match(event.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
            assert.ok(Math.abs(Date.parse(event.created_at) - Date.now()) < 60_000);
            assert.deepEqual([event.ip, event.user_agent], ['127.0.0.1', 'audit-test/2.0']);
        }
        const stored = JSON.stringify(await server.db.selectFrom('audit_events').selectAll().execute());
        for (const secret of [PASSWORD, newPassword, token, session, resetToken])
            assert.ok(!stored.includes(secret), 'no secret in the audit table');
        assert.equal((await request(server, 'GET', '/account/events')).status, 403, 'needs a session');
    });
    it('records the session an event happened through by a public handle: neither the token nor its hash', async () => {
        const user = await signUp(server);
        const other = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }));
        assert.equal((await request(server, 'PUT', `/users/${user.id}`, { password: 'another long passphrase', current_password: PASSWORD }, { session: user.token })).status, 200);
        assert.equal((await request(server, 'DELETE', '/sessions', undefined, { session: user.token })).status, 200);
        const rows = await server.db.selectFrom('audit_events').select(['type', 'session_handle']).where('user_id', '=', user.id).orderBy('id').execute();
        assert.deepEqual(rows.map(row => row.type), ['user.created', 'email.verification_sent', 'login.succeeded', 'login.succeeded', 'password.changed', 'logout']);
        const [created, sent, first, second, changed, logout] = rows.map(row => row.session_handle);
        assert.deepEqual([created, sent], [null, null], 'no session signed up');
        assert.match(first ?? '', /^[A-Za-z0-9_-]{22}$/);
        assert.notEqual(first, second, 'each sign-in its own session');
        assert.deepEqual([changed, logout], [first, first], 'the change and the logout came through the first session');
        for (const [token, handle] of [[user.token, first], [other, second]]) {
            assert.ok(handle !== undefined && handle !== null && !token?.includes(handle) && !hashToken(token ?? '').includes(handle), 'not the token nor its hash');
        }
    });
    it('shows nobody else\'s events, and a failed sign-in for an unknown email to nobody', async () => {
        const alice = await signUp(server);
        const bob = await signUp(server);
        await request(server, 'POST', '/sessions', { email: bob.email, password: 'not bob\'s password' });
        await request(server, 'POST', '/sessions', { email: uniqueEmail('nobody'), password: PASSWORD });
        const aliceEvents = (await request(server, 'GET', '/account/events', undefined, { session: alice.token })).body.events;
        assert.deepEqual(aliceEvents.map(event => event.type), ['login.succeeded', 'email.verification_sent', 'user.created']);
        const bobEvents = (await request(server, 'GET', '/account/events', undefined, { session: bob.token })).body.events;
        assert.deepEqual(bobEvents.map(event => event.type), ['login.failed', 'login.succeeded', 'email.verification_sent', 'user.created']);
        const orphans = await server.db.selectFrom('audit_events').select(['type', 'outcome']).where('user_id', 'is', null).execute();
        assert.ok(orphans.some(row => row.type === 'login.failed' && row.outcome === 'failure'), 'recorded without an account');
    });
    it('pages by cursor: every event once, in order, then next is null', async () => {
        const user = await signUp(server);
        for (let i = 0; i < 4; i++)
            await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        const all = (await request(server, 'GET', '/account/events', undefined, { session: user.token })).body.events;
        assert.equal(all.length, 7);
        const seen = [];
        let cursor = null;
        let pages = 0;
        do {
            const query = cursor === null ? '?limit=4' : `?limit=4&before=${cursor}`;
            const page = (await request(server, 'GET', `/account/events${query}`, undefined, { session: user.token })).body;
            seen.push(...page.events);
            cursor = page.next;
            pages += 1;
        } while (cursor !== null);
        assert.equal(pages, 2);
        assert.deepEqual(seen, all);
    });
    it('refuses bad paging with a 400 naming the parameter', async () => {
        const user = await signUp(server);
        for (const [query, field] of [['?limit=0', 'limit'], ['?limit=101', 'limit'], ['?limit=ten', 'limit'], ['?limit=-1', 'limit'], ['?before=abc', 'before'], ['?before=0', 'before']]) {
            const reply = await request(server, 'GET', `/account/events${query ?? ''}`, undefined, { session: user.token });
            assert.equal(reply.status, 400, `${query ?? ''}: ${reply.text}`);
            assert.equal(reply.body.code, 'invalid_field');
            assert.match(reply.body.message, new RegExp(`^${field ?? ''} `));
        }
    });
    it('purges events past the retention in batches, and keeps the rest', async () => {
        const user = await signUp(server);
        const old = Date.now() - 100 * 24 * 3600 * 1000;
        const rows = Array.from({ length: 2300 }, (_, i) => ({ created_at: old - i, type: 'login.failed', outcome: 'failure', user_id: user.id, session_handle: null, ip: null, user_agent: null, details: null }));
        for (let i = 0; i < rows.length; i += 500)
            await server.db.insertInto('audit_events').values(rows.slice(i, i + 500)).execute();
        const purged = await purgeAuditEvents(server.db, Date.now() - 90 * 24 * 3600 * 1000);
        assert.ok(purged >= 2300, `purged ${purged}`);
        const left = (await request(server, 'GET', '/account/events', undefined, { session: user.token })).body.events;
        assert.deepEqual(left.map(event => event.type), ['login.succeeded', 'email.verification_sent', 'user.created']);
    });
});
