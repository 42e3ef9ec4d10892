import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, configurationMarkdown, loadConfig, SETTINGS } from '../src/config.js';
import { runCli, spawnCli } from './support/cli.js';
import { startService } from './support/service.js';
describe('loadConfig', () => {
    it('has working defaults: port 5000, SQLite under ./data, 7 and 30 day sessions, 30 min reset tokens', () => {
        const config = loadConfig({});
        assert.equal(config.port, 5000);
        assert.equal(config.env, 'development');
        assert.deepEqual(config.database, { dialect: 'sqlite', file: path.join('data', 'auth.sqlite'), queryTimeoutMs: 5000 });
        assert.deepEqual(config.session, { idleTtlSeconds: 604800, absoluteTtlSeconds: 2592000, reauthMaxAgeSeconds: 600 });
        assert.deepEqual(config.resetToken, { ttlSeconds: 1800, inResponse: false });
        assert.deepEqual(config.passwordPolicy, { minLength: 8, maxLength: 1024, blockCommon: true });
        assert.equal(config.publicUrl, 'http://localhost:5000');
        assert.equal(config.mail.smtpUrl, null);
        assert.deepEqual([config.http.requestTimeoutSeconds, config.http.keepAliveTimeoutSeconds], [10, 5]);
        assert.deepEqual(config.hashing, { threads: 0, queueLimit: 64 });
        assert.deepEqual([config.limits.accountPerIp, config.limits.memoryKeys, config.redis.commandTimeoutMs], [10, 100_000, 300]);
        assert.ok(Object.isFrozen(config));
    });
    it('reads sqlite: and file: URLs and plain paths as SQLite', () => {
        const file = (url) => loadConfig({ DATABASE_URL: url }).database;
        assert.deepEqual(file('sqlite:///tmp/a.db'), { dialect: 'sqlite', file: '/tmp/a.db', queryTimeoutMs: 5000 });
        assert.deepEqual(file('sqlite:data/b.db'), { dialect: 'sqlite', file: 'data/b.db', queryTimeoutMs: 5000 });
        assert.deepEqual(file('file:./c.db'), { dialect: 'sqlite', file: './c.db', queryTimeoutMs: 5000 });
        assert.deepEqual(file('/var/lib/auth.sqlite'), { dialect: 'sqlite', file: '/var/lib/auth.sqlite', queryTimeoutMs: 5000 });
    });
    it('reads postgres://, postgresql:// and mysql:// URLs with pool settings', () => {
        assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/auth?sslmode=require' }).database, { dialect: 'postgres', url: 'postgres://u:p@db:5432/auth?sslmode=require', poolSize: 10, connectTimeoutMs: 5000, queryTimeoutMs: 5000 });
        assert.equal(loadConfig({ DATABASE_URL: 'postgresql://db/auth' }).database.dialect, 'postgres');
        assert.deepEqual(loadConfig({ DATABASE_URL: 'mysql://root@127.0.0.1:3306/auth', DATABASE_POOL_SIZE: '3', DATABASE_CONNECT_TIMEOUT: '2', DATABASE_QUERY_TIMEOUT: '7' }).database, { dialect: 'mysql', url: 'mysql://root@127.0.0.1:3306/auth', poolSize: 3, connectTimeoutMs: 2000, queryTimeoutMs: 7000 });
    });
    it('refuses database URLs it cannot use, without echoing the password', () => {
        assert.throws(() => loadConfig({ DATABASE_URL: 'postgres://db' }), /DATABASE_URL is not a usable postgres URL/);
        assert.throws(() => loadConfig({ DATABASE_URL: 'mongodb://u:secret@db/auth' }), (error) => {
            assert.ok(error instanceof ConfigError);
            assert.match(error.message, /DATABASE_URL must be a SQLite file path/);
            assert.doesNotMatch(error.message, /secret/);
            return true;
        });
        assert.throws(() => loadConfig({ DATABASE_POOL_SIZE: '0' }), /DATABASE_POOL_SIZE/);
        assert.throws(() => loadConfig({ DATABASE_QUERY_TIMEOUT: '0' }), /DATABASE_QUERY_TIMEOUT must be a whole number from 1 to 600/);
    });
    it('reports every bad variable at once, by name', () => {
        assert.throws(() => loadConfig({ PORT: 'eighty', SESSION_IDLE_TTL: '-5', PASSWORD_BLOCK_COMMON: 'maybe', LOG_LEVEL: 'loud', SMTP_URL: 'http://x', PUBLIC_URL: 'nope' }), (error) => {
            assert.ok(error instanceof ConfigError);
            const names = error.problems.map(p => p.split(' ')[0] ?? '');
            assert.deepEqual(names.sort(), ['LOG_LEVEL', 'PASSWORD_BLOCK_COMMON', 'PORT', 'PUBLIC_URL', 'SESSION_IDLE_TTL', 'SMTP_URL']);
            return true;
        });
    });
    it('reads the pages\' branding; a logo is a path here or an https: URL, nothing else', () => {
        assert.deepEqual(loadConfig({}).ui, { brandName: 'Auth Service', logoUrl: null });
        assert.deepEqual(loadConfig({ BRAND_NAME: 'Example', BRAND_LOGO_URL: '/static/logo.svg' }).ui, { brandName: 'Example', logoUrl: '/static/logo.svg' });
        assert.equal(loadConfig({ BRAND_LOGO_URL: 'https://cdn.example.net/a.png' }).ui.logoUrl, 'https://cdn.example.net/a.png');
        for (const bad of ['javascript:alert(1)', 'http://cdn.example.net/a.png', '//cdn.example.net/a.png', 'logo.png', '/a"onerror="x']) {
            assert.throws(() => loadConfig({ BRAND_LOGO_URL: bad }), (error) => error instanceof ConfigError && /BRAND_LOGO_URL/.test(error.message), bad);
        }
    });
    it('reads ENCRYPTION_KEY: 32-byte keys, base64 or hex, the newest first, each known by a fingerprint', () => {
        const development = loadConfig({}).encryption;
        assert.deepEqual([development.development, development.keys.map(key => key.id)], [true, ['development']]);
        const hex = 'ab'.repeat(32);
        const { keys, development: dev } = loadConfig({ ENCRYPTION_KEY: `${'4m8Vq0uJ8eS3c6rK2wXy1Zt7bN5dF9gH0jL2pQ4sT6U='}, ${hex}` }).encryption;
        assert.equal(dev, false);
        assert.deepEqual(keys.map(key => key.key.length), [32, 32]);
        assert.match(keys[0]?.id ?? '', /^[0-9a-f]{12}$/);
        assert.notEqual(keys[0]?.id, keys[1]?.id);
        for (const bad of ['short', 'ab'.repeat(31), `${hex},nope`]) {
            assert.throws(() => loadConfig({ ENCRYPTION_KEY: bad }), (error) => error instanceof ConfigError && /ENCRYPTION_KEY must be 32-byte keys/.test(error.message) && !error.message.includes(hex), bad);
        }
    });
    it('this service\'s own origins: PUBLIC_URL\'s, or without it the loopback names of PORT', () => {
        assert.deepEqual(loadConfig({ PORT: '5055' }).http.selfOrigins, ['http://localhost:5055', 'http://127.0.0.1:5055', 'http://[::1]:5055']);
        assert.deepEqual(loadConfig({ PUBLIC_URL: 'https://auth.example.com/base/' }).http.selfOrigins, ['https://auth.example.com']);
    });
    it('refuses an absolute session TTL shorter than the idle one', () => {
        assert.throws(() => loadConfig({ SESSION_IDLE_TTL: '100', SESSION_ABSOLUTE_TTL: '50' }), /SESSION_ABSOLUTE_TTL/);
    });
    it('refuses production without SMTP_URL and PUBLIC_URL, or with RESET_TOKEN_IN_RESPONSE', () => {
        assert.throws(() => loadConfig({ NODE_ENV: 'production' }), (error) => {
            assert.ok(error instanceof ConfigError);
            assert.ok(error.problems.some(p => p.startsWith('SMTP_URL is required in production')));
            assert.ok(error.problems.some(p => p.startsWith('PUBLIC_URL is required in production')));
            assert.ok(error.problems.some(p => p.startsWith('ENCRYPTION_KEY is required in production')));
            return true;
        });
        const production = { NODE_ENV: 'production', SMTP_URL: 'smtp://mail:25', PUBLIC_URL: 'https://auth.example.com', ENCRYPTION_KEY: '4m8Vq0uJ8eS3c6rK2wXy1Zt7bN5dF9gH0jL2pQ4sT6U=' };
        assert.throws(() => loadConfig({ ...production, RESET_TOKEN_IN_RESPONSE: 'true' }), /RESET_TOKEN_IN_RESPONSE=true is refused in production/);
        assert.equal(loadConfig(production).env, 'production');
    });
});
describe('authsvc CLI', () => {
    let dir;
    before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-cli-')); });
    after(async () => { await fs.rm(dir, { recursive: true, force: true }); });
    it('--help prints usage and exits 0; an unknown command or a wrong argument exits 2', async () => {
        const help = await runCli(['--help'], {});
        assert.equal(help.code, 0);
        assert.match(help.stdout, /Usage: authsvc <command>/);
        const serveHelp = await runCli(['serve', '--help'], {});
        assert.equal(serveHelp.code, 0);
        const unknown = await runCli(['launch'], {});
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /unknown command: launch/);
        const extra = await runCli(['migrate', 'now'], {});
        assert.equal(extra.code, 2);
        assert.match(extra.stderr, /migrate takes no arguments/);
    });
    it('the operator\'s commands exit 2 on a wrong command line, saying why, before touching any database', async () => {
        const cases = [['users'], ['users', 'frob'], ['users', 'show'], ['users', 'show', 'a', 'b'], ['users', 'list', '--limit', '0'],
            ['users', 'list', '--limit', 'ten'], ['users', 'list', '--colour'], ['events', '--type', 'nonsense'], ['events', '--since', 'yesterday'],
            ['events', 'now'], ['sessions', 'clean'], ['users', 'disable', '--password-stdin', '1']];
        // A DATABASE_URL nothing listens on: a run that got as far as the database would fail with 1.
        const runs = await Promise.all(cases.map(async (args) => await runCli(args, { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' })));
        runs.forEach((run, i) => {
            const args = (cases[i] ?? []).join(' ');
            assert.equal(run.code, 2, `${args}: ${run.stdout}${run.stderr}`);
            assert.match(run.stderr, /\S.*\n\nRun "authsvc --help"/, `${args} says why`);
            assert.equal(run.stdout, '');
        });
        assert.match(runs[7]?.stderr ?? '', /--type must be one of: user\.created, /);
        const help = await runCli(['users', 'list', '--help'], {});
        assert.equal(help.code, 0);
        for (const command of ['users list', 'users show', 'users disable', 'users enable', 'users revoke-sessions', 'users delete', 'users verify-email', 'users set-password', 'events', 'sessions prune', 'outbox', 'outbox retry']) {
            assert.match(help.stdout, new RegExp(`\\n  ${command} `), command);
        }
    });
    it('--help and docs/configuration.md name every setting; the docs page is what npm run docs:config writes', async () => {
        const names = Object.keys(SETTINGS);
        assert.ok(names.length >= 55 && names.includes('COMPAT') && names.includes('NODE_ENV'), `found: ${names.join(', ')}`);
        const help = await runCli(['--help'], {});
        assert.deepEqual(names.filter(name => !new RegExp(`\\n {4}${name}[= ]`).test(help.stdout)), [], 'missing from --help');
        assert.match(help.stdout, /\n {4}PORT=5000 +TCP port \[0–65535\]\n/);
        const docs = await fs.readFile('docs/configuration.md', 'utf8');
        assert.deepEqual(names.filter(name => !docs.includes(`\n| \`${name}\` | `)), [], 'missing from docs/configuration.md');
        assert.ok(docs === configurationMarkdown(), 'docs/configuration.md is stale: run npm run docs:config');
    });
    it('stops at start-up on bad configuration, naming the variable', async () => {
        const run = await runCli(['serve'], { PORT: '99999', DATABASE_URL: path.join(dir, 'x.sqlite') });
        assert.equal(run.code, 1);
        assert.match(run.stderr, /PORT must be a whole number from 0 to 65535/);
    });
    it('says clearly at start-up that the database cannot be reached', async () => {
        for (const url of ['postgres://authsvc:secret@127.0.0.1:1/auth', 'mysql://authsvc:secret@127.0.0.1:1/auth']) {
            const run = await runCli(['serve'], { DATABASE_URL: url, DATABASE_CONNECT_TIMEOUT: '1' });
            assert.equal(run.code, 1);
            assert.match(run.stderr, /cannot reach the database \((PostgreSQL|MySQL) at \w+:\/\/authsvc:\*\*\*@127\.0\.0\.1:1\/auth\)/);
            assert.doesNotMatch(run.stderr, /secret/);
        }
    });
    it('migrate applies the migrations once; a second run is a no-op', async () => {
        const env = { DATABASE_URL: path.join(dir, 'migrate.sqlite') };
        const first = await runCli(['migrate'], env);
        assert.equal(first.code, 0, first.stderr);
        assert.match(first.stdout, /applied: 0001_users\napplied: 0002_sessions\napplied: 0003_password_reset_tokens\napplied: 0004_one_time_tokens\napplied: 0005_audit_events/);
        const second = await runCli(['migrate'], env);
        assert.equal(second.code, 0);
        assert.match(second.stdout, /database is up to date/);
    });
    it('serve in production refuses to start with pending migrations', async () => {
        const run = await runCli(['serve'], {
            NODE_ENV: 'production',
            ENCRYPTION_KEY: '4m8Vq0uJ8eS3c6rK2wXy1Zt7bN5dF9gH0jL2pQ4sT6U=',
            SMTP_URL: 'smtp://127.0.0.1:9',
            PUBLIC_URL: 'https://auth.example.com',
            DATABASE_URL: path.join(dir, 'fresh-production.sqlite')
        });
        assert.equal(run.code, 1);
        assert.match(run.stderr, /pending migrations .*run "authsvc migrate" first/);
    });
    it('serve migrates, answers HTTP and stops cleanly on SIGTERM', async () => {
        // startService waits until GET / answers, and throws with the output if it never does.
        const service = await startService({ DATABASE_URL: path.join(dir, 'serve', 'auth.sqlite'), LOG_LEVEL: 'warn' });
        let run;
        try {
            const reply = await fetch(`${service.url}/`);
            assert.deepEqual(await reply.json(), { message: 'Bienvenue' });
            const created = await fetch(`${service.url}/users`, { method: 'POST', body: new URLSearchParams({ email: 'cli@example.com', password: 'cli password long' }) });
            assert.equal(created.status, 200);
        }
        finally {
            run = await service.stop('SIGTERM');
        }
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /SMTP_URL is not set/);
    });
    it('logs each request at LOG_LEVEL=debug, bound to its request id, and none at the default level', async () => {
        const logged = async (level) => {
            const service = await startService({ DATABASE_URL: path.join(dir, `log-${level}`, 'auth.sqlite'), LOG_LEVEL: level });
            let run;
            try {
                assert.equal((await fetch(`${service.url}/profile`)).status, 403);
            }
            finally {
                run = await service.stop('SIGTERM');
            }
            assert.equal(run.code, 0, run.stderr);
            return run.stdout.split('\n').filter(line => line.startsWith('{')).map(line => JSON.parse(line));
        };
        const debug = (await logged('debug')).filter(line => line.msg === 'request' && line.url === '/profile');
        assert.equal(debug.length, 1);
        assert.equal(debug[0]?.statusCode, 403);
        assert.match(String(debug[0]?.reqId), /^[0-9a-f]{12}-[0-9a-z]+$/, 'the X-Request-Id of its reply: the instance\'s id and a counter');
        assert.deepEqual((await logged('info')).filter(line => line.msg === 'request'), []);
    });
});
describe('authsvc as a process (the bin file around run())', () => {
    let dir;
    before(async () => { dir = await fs.mkdtemp(path.join(os.tmpdir(), 'authsvc-bin-')); });
    after(async () => { await fs.rm(dir, { recursive: true, force: true }); });
    it('exits with run()\'s code: 0 for --help, 2 for a wrong command line, 1 for bad configuration', async () => {
        const [help, unknown, bad] = await Promise.all([
            spawnCli(['--help'], {}),
            spawnCli(['launch'], {}),
            spawnCli(['migrate'], { PORT: '99999', DATABASE_URL: path.join(dir, 'x.sqlite') })
        ]);
        assert.deepEqual([help.code, unknown.code, bad.code], [0, 2, 1], `${help.stderr}${unknown.stderr}${bad.stderr}`);
        assert.match(help.stdout, /Usage: authsvc <command>/);
        assert.match(unknown.stderr, /unknown command: launch/);
        assert.match(bad.stderr, /PORT must be a whole number from 0 to 65535/);
    });
    it('better-sqlite3 built for another Node.js: one line with the command that fixes it, exit 1, no stack trace', async () => {
        // Simulated: Node's own error for a binary of another ABI (ERR_DLOPEN_FAILED, its exact
        // wording), thrown where better-sqlite3 loads its binary; fetching a second Node here
        // would take minutes. The real thing was checked by hand with Node 22 and 24.
        const preload = `const dlopen = process.dlopen; process.dlopen = function (module, file, ...rest) {
      if (!String(file).includes('better_sqlite3')) return dlopen.call(this, module, file, ...rest)
      const error = new Error("The module '" + file + "'\\nwas compiled against a different Node.js version using\\nNODE_MODULE_VERSION 115. This version of Node.js requires\\nNODE_MODULE_VERSION 999. Please try re-compiling or re-installing\\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).")
      error.code = 'ERR_DLOPEN_FAILED'
      throw error
    }`;
        const importPreload = ['--import', `data:text/javascript,${encodeURIComponent(preload)}`];
        // npm configured with another Node's headers (an npmrc's nodedir, which `npm start`
        // passes on): a plain rebuild would build for that Node again, so the second line
        // points at this Node's own headers when it has them.
        const [run, other] = await Promise.all([
            spawnCli(['migrate'], { DATABASE_URL: path.join(dir, 'abi.sqlite') }, undefined, importPreload),
            spawnCli(['serve'], { DATABASE_URL: path.join(dir, 'abi.sqlite'), npm_config_nodedir: path.join(dir, 'other-node') }, undefined, importPreload)
        ]);
        assert.equal(run.code, 1, run.stdout);
        assert.equal(run.stderr, 'better-sqlite3 was built for another Node.js (module version 115; this Node.js ' +
            `${process.version} needs 999): in ${process.cwd()} run "npm rebuild better-sqlite3" with this Node.js, then start again\n`);
        const prefix = path.resolve(path.dirname(process.execPath), '..');
        const ownHeaders = await fs.access(path.join(prefix, 'include', 'node', 'node_version.h')).then(() => true, () => false);
        assert.equal(other.code, 1);
        assert.match(other.stderr, new RegExp(`run "${ownHeaders ? `npm_config_nodedir=${prefix} ` : ''}npm rebuild better-sqlite3"`));
        assert.doesNotMatch(run.stderr + other.stderr, /\n\s+at /);
    });
    it('runs in-process leave no signal handler, exit hook or environment change behind', async () => {
        const listeners = () => ['SIGINT', 'SIGTERM', 'exit'].map(event => process.listenerCount(event));
        const before = listeners();
        const env = { ...process.env };
        const runs = await Promise.all([runCli(['migrate'], { DATABASE_URL: path.join(dir, 'leak.sqlite'), PORT: '1234' }), runCli(['users', 'list'], { DATABASE_URL: ':memory:' })]);
        assert.deepEqual(runs.map(run => run.code), [0, 1], runs.map(run => run.stderr).join(''));
        assert.deepEqual(listeners(), before);
        const changed = [...new Set([...Object.keys(env), ...Object.keys(process.env)])].filter(name => env[name] !== process.env[name]);
        assert.deepEqual(changed, [], 'environment variables changed');
    });
});
