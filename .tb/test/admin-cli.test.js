// The operator's commands through the real CLI (a child process on the server's own
// database), against the running service over HTTP: what each command does, its --json
// output, its exit codes, and its audit event with the CLI as the actor.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { generateToken, hashToken } from '../src/auth/tokens.js';
import { CLI_ARGS, runCli } from './support/cli.js';
import { TEST_DIALECT } from './support/database.js';
import { PASSWORD, request, sessionCookie, signUp, startServer, uniqueEmail } from './support/server.js';
describe(`the admin CLI on ${TEST_DIALECT}`, () => {
    let server;
    let env;
    const cli = async (args, input) => await runCli(args, env, input);
    const json = async (args, input) => {
        const run = await cli([...args, '--json'], input);
        assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
        return JSON.parse(run.stdout);
    };
    const operator = os.userInfo().username;
    before(async () => {
        server = await startServer({ RESET_TOKEN_IN_RESPONSE: 'true' });
        env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'info' };
    });
    after(async () => { await server.close(); });
    it('users list and show: by id, --search escapes wildcards, --limit, --json and a table', async () => {
        const tag = `list${process.pid}`;
        const a = await signUp(server, `${tag}-a_x@example.com`);
        const b = await signUp(server, `${tag}-b@example.com`);
        const listed = await json(['users', 'list', '--search', tag.toUpperCase()]);
        assert.deepEqual(listed.users.map(user => user.email), [a.email, b.email]);
        assert.deepEqual(Object.keys(listed.users[0] ?? {}).sort(), ['created_at', 'disabled', 'disabled_at', 'email', 'email_verified', 'email_verified_at', 'id', 'language', 'updated_at']);
        assert.equal(listed.users[0]?.email_verified, false, 'accounts start unverified');
        assert.deepEqual((await json(['users', 'list', '--search', `${tag}-a_`])).users.map((user) => user.id), [a.id]);
        assert.deepEqual((await json(['users', 'list', '--search', `${tag}-_`])).users, [], '_ is a character, not a wildcard');
        assert.deepEqual((await json(['users', 'list', '--search', tag, '--limit', '1'])).users.map((user) => user.id), [a.id]);
        const table = await cli(['users', 'list', '--search', tag]);
        assert.equal(table.code, 0);
        assert.match(table.stdout, /^ID +EMAIL +CREATED +VERIFIED +DISABLED\n/);
        assert.match(table.stdout, new RegExp(`\\n${b.id} +${b.email} +\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z +no +no\\n`));
        assert.doesNotMatch(table.stdout + table.stderr, /\$argon2/, 'never a hash');
        const shown = await json(['users', 'show', b.email.toUpperCase()]);
        assert.equal(shown.id, b.id);
        assert.equal(shown.active_sessions, 1);
        const text = await cli(['users', 'show', String(b.id)]);
        assert.match(text.stdout, /active sessions: +1/);
    });
    it('exit code 2 for an unknown user, 1 for a failure, with a message', async () => {
        for (const args of [['users', 'show', '999999'], ['users', 'disable', uniqueEmail('nobody')], ['events', '--user', uniqueEmail('nobody')]]) {
            const run = await cli(args);
            assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
            assert.match(run.stderr, /no user with id or email/);
        }
        const unreachable = await runCli(['users', 'list'], { DATABASE_URL: 'postgres://authsvc:secret@127.0.0.1:1/auth', DATABASE_CONNECT_TIMEOUT: '1' });
        assert.equal(unreachable.code, 1);
        assert.match(unreachable.stderr, /users list failed: cannot reach the database/);
        assert.doesNotMatch(unreachable.stderr, /secret/);
    });
    it('users disable: sessions end, the right password gets 403 account_disabled, a wrong one 401, no reset; enable undoes it', async () => {
        const user = await signUp(server);
        const second = sessionCookie(await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD }));
        const disabled = await json(['users', 'disable', user.email]);
        assert.deepEqual([disabled.action, disabled.changed, disabled.sessions_ended, disabled.user.disabled], ['disable', true, 2, true]);
        for (const session of [user.token, second])
            assert.equal((await request(server, 'GET', '/profile', undefined, { session })).status, 403);
        const right = await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        assert.equal(right.status, 403, right.text);
        assert.equal(right.body.code, 'account_disabled');
        assert.equal(right.headers.get('set-cookie'), null, 'no session');
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        assert.match(metrics, /\nauthsvc_logins_total\{result="account_disabled"\} 1\n/);
        const wrong = await request(server, 'POST', '/sessions', { email: user.email, password: 'not the password at all' });
        assert.deepEqual([wrong.status, wrong.body.code], [401, 'invalid_credentials']);
        const reset = await request(server, 'POST', '/reset_password', { email: user.email });
        assert.deepEqual([reset.status, reset.body.reset_token], [403, undefined], 'no reset token for a disabled account');
        const again = await cli(['users', 'disable', String(user.id)]);
        assert.equal(again.code, 0);
        assert.match(again.stdout, /was already disabled/);
        const enabled = await cli(['users', 'enable', String(user.id)]);
        assert.equal(enabled.code, 0, enabled.stderr);
        assert.match(enabled.stdout, new RegExp(`enabled user ${user.id} <${user.email}>`));
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 200);
        const events = (await json(['events', '--user', String(user.id), '--limit', '4'])).events;
        assert.deepEqual(events.map(event => event.type), ['login.succeeded', 'user.enabled', 'login.failed', 'login.failed']);
        assert.deepEqual(events[1]?.details, { via: 'cli', operator });
        assert.deepEqual(events[3]?.details, { method: 'password', reason: 'account_disabled' });
        assert.equal(events[1]?.ip, null);
    });
    it('a session created for a disabled account (a sign-in racing the disable) is refused', async () => {
        const user = await signUp(server);
        assert.equal((await cli(['users', 'disable', String(user.id)])).code, 0);
        const token = generateToken();
        const now = Date.now();
        await server.db.insertInto('sessions').values({ id: hashToken(token), user_id: user.id, created_at: now, last_seen_at: now, expires_at: now + 60_000, ip: null, user_agent: null }).execute();
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: token })).status, 403);
    });
    it('users revoke-sessions ends every session; sessions prune removes expired ones', async () => {
        const user = await signUp(server);
        await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD });
        const revoked = await cli(['users', 'revoke-sessions', user.email]);
        assert.equal(revoked.code, 0, revoked.stderr);
        assert.match(revoked.stdout, /2 sessions ended/);
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403);
        const other = await signUp(server);
        const past = Date.now() - 1000;
        await server.db.insertInto('sessions').values({ id: hashToken(generateToken()), user_id: other.id, created_at: past - 1000, last_seen_at: past - 1000, expires_at: past, ip: null, user_agent: null }).execute();
        const pruned = await json(['sessions', 'prune']);
        assert.ok(pruned.removed >= 1, JSON.stringify(pruned));
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: other.token })).status, 200, 'a live session stays');
        const [event] = (await json(['events', '--type', 'sessions.pruned', '--limit', '1'])).events;
        assert.deepEqual([event?.user_id, event?.details?.removed, event?.details?.via], [null, pruned.removed, 'cli']);
    });
    it('users set-password reads stdin, applies the policy, ends sessions; the password is nowhere in the output or the log', async () => {
        const user = await signUp(server);
        const password = 'an operator-set passphrase';
        const run = await cli(['users', 'set-password', String(user.id), '--password-stdin'], `${password}\n`);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /set a new password for user \d+ <.+>; 1 session ended/);
        assert.ok(!(run.stdout + run.stderr).includes(password));
        assert.match(run.stderr, /"event":"password.changed"/, 'the admin action is logged (on stderr)');
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password: PASSWORD })).status, 401);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password })).status, 200);
        const short = await cli(['users', 'set-password', String(user.id), '--password-stdin'], 'short\n');
        assert.equal(short.code, 1);
        assert.match(short.stderr, /users set-password failed: password must be at least 8 characters/);
        const empty = await cli(['users', 'set-password', String(user.id), '--password-stdin'], '\n');
        assert.equal(empty.code, 2);
        assert.match(empty.stderr, /empty password/);
        const noTerminal = await cli(['users', 'set-password', String(user.id)]);
        assert.equal(noTerminal.code, 2);
        assert.match(noTerminal.stderr, /no terminal to ask for the password: pipe it in with --password-stdin/);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password })).status, 200, 'refused attempts changed nothing');
    });
    it('users set-password asks twice at a terminal, without echo', async () => {
        const user = await signUp(server);
        const password = 'typed at the terminal';
        // util-linux's script(1) gives the CLI a pseudo-terminal and passes our stdin to it.
        const command = [process.execPath, ...CLI_ARGS, 'users', 'set-password', String(user.id)].map(arg => `'${arg}'`).join(' ');
        const output = await new Promise(resolve => {
            const child = execFile('script', ['-qc', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...env } }, (_error, out) => { resolve(String(out)); });
            // Typed once the prompt is up: before it, the terminal still echoes.
            let typed = 0;
            child.stdout?.on('data', (chunk) => {
                if (typed < 2 && /New password: |Repeat it: /.test(chunk.toString())) {
                    typed += 1;
                    child.stdin?.write(`${password}\r`);
                    if (typed === 2)
                        child.stdin?.end();
                }
            });
        });
        assert.match(output, /New password: /);
        assert.match(output, /set a new password for user/);
        assert.ok(!output.includes(password), `no echo: ${output}`);
        assert.equal((await request(server, 'POST', '/sessions', { email: user.email, password })).status, 200);
    });
    it('users verify-email marks it verified once; users delete removes the account, its events stay', async () => {
        const user = await signUp(server);
        const verified = await json(['users', 'verify-email', user.email]);
        assert.deepEqual([verified.changed, verified.user.email_verified], [true, true]);
        assert.match(verified.user.email_verified_at, /^\d{4}-/);
        const twice = await json(['users', 'verify-email', user.email]);
        assert.deepEqual([twice.changed, twice.user.email_verified], [false, true]);
        const deleted = await cli(['users', 'delete', String(user.id)]);
        assert.equal(deleted.code, 0, deleted.stderr);
        assert.match(deleted.stdout, new RegExp(`deleted user ${user.id} <${user.email}>`));
        assert.equal((await request(server, 'GET', '/profile', undefined, { session: user.token })).status, 403);
        assert.equal((await cli(['users', 'show', String(user.id)])).code, 2);
        const events = (await json(['events', '--user', String(user.id)])).events;
        assert.deepEqual(events.map(event => event.type), ['user.deleted', 'email.verified', 'login.succeeded', 'email.verification_sent', 'user.created']);
        assert.deepEqual(events[0]?.details, { via: 'cli', operator });
    });
    it('events: --type, --since, --limit, newest first, a table and JSON with no secret', async () => {
        const user = await signUp(server);
        await request(server, 'POST', '/sessions', { email: user.email, password: 'a wrong password here' });
        const failed = (await json(['events', '--type', 'login.failed', '--since', '1m', '--limit', '1000'])).events;
        assert.ok(failed.length >= 1 && failed.every(event => event.type === 'login.failed' && event.outcome === 'failure'));
        assert.equal(failed[0]?.user_id, user.id, 'newest first');
        const future = await json(['events', '--since', new Date(Date.now() + 3_600_000).toISOString()]);
        assert.deepEqual(future.events, []);
        const mine = (await json(['events', '--user', user.email])).events;
        assert.deepEqual(mine.map(event => event.type), ['login.failed', 'login.succeeded', 'email.verification_sent', 'user.created']);
        assert.deepEqual(Object.keys(mine[0] ?? {}).sort(), ['created_at', 'details', 'id', 'ip', 'outcome', 'session', 'type', 'user_agent', 'user_id']);
        assert.match(String(mine[1]?.session), /^[A-Za-z0-9_-]{22}$/, 'the sign-in names its new session');
        const table = await cli(['events', '--user', String(user.id)]);
        assert.match(table.stdout, /^ID +TIME +TYPE +OUTCOME +USER +SESSION +IP +USER AGENT +DETAILS\n/);
        assert.match(table.stdout, /login\.failed +failure/);
        const everything = (await cli(['events', '--limit', '1000', '--json'])).stdout;
        for (const secret of [PASSWORD, 'a wrong password here', user.token])
            assert.ok(!everything.includes(secret));
    });
});
