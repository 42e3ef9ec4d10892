// `npm run cluster -- --instances N`: N instances of the service on one PostgreSQL (or
// MySQL) database and one Redis, behind Debian's nginx. The instances listen on
// 127.0.0.1:PORT+1 … PORT+N, nginx on PORT (HOST); every other setting of the environment
// passes through. SIGHUP restarts the instances one at a time (each drains before it
// stops; the next goes only once the restarted one is ready); SIGINT / SIGTERM stop
// everything this started. npm dies on SIGHUP, so once ready this prints its own pid and
// writes it to a pid file (`authsvc cluster reload` reads it), removed when it stops.
// Not part of the service: it only starts and watches processes.
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PID_FILE, readPidFile, removePidFile, writePidFile } from './pid-file.js';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist', 'cli.js');
const READY_TIMEOUT_MS = 30_000;
const SETTLE_MS = 1000;
const NGINX_CANDIDATES = ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx'];
function parseArgs(argv) {
    let instances = 2;
    let pidFile = DEFAULT_PID_FILE;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === '--help' || arg === '-h')
            return 'help';
        const value = () => arg?.includes('=') === true ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
        if (arg === '--instances' || arg?.startsWith('--instances=') === true) {
            const given = value();
            instances = /^[0-9]{1,2}$/.test(given ?? '') ? Number(given) : NaN;
            if (!(instances >= 1 && instances <= 32))
                throw new Error('--instances must be a whole number from 1 to 32');
        }
        else if (arg === '--pid-file' || arg?.startsWith('--pid-file=') === true) {
            const given = value();
            if (given === undefined || given === '')
                throw new Error('--pid-file needs a path (usage: npm run cluster -- --pid-file PATH)');
            pidFile = path.resolve(given);
        }
        else {
            throw new Error(`unknown argument ${JSON.stringify(arg)} (usage: npm run cluster -- --instances N [--pid-file PATH])`);
        }
    }
    return { instances, pidFile };
}
const USAGE = `usage: npm run cluster -- [--instances N] [--pid-file PATH]
N instances (default 2) on 127.0.0.1:PORT+1 … PORT+N behind nginx on HOST:PORT (default
127.0.0.1:5000), all on DATABASE_URL (PostgreSQL or MySQL) and REDIS_URL. Once ready it
prints its pid and writes it to PATH (default ${DEFAULT_PID_FILE}), removed when it stops.
SIGHUP to that pid (\`authsvc cluster reload [--pid-file PATH]\`): rolling restart.
Ctrl-C / SIGTERM: stop everything.`;
function log(message) {
    process.stdout.write(`[cluster] ${message}\n`);
}
async function findNginx() {
    for (const candidate of NGINX_CANDIDATES) {
        try {
            await readFile(candidate);
            return candidate;
        }
        catch { /* try the next */ }
    }
    throw new Error('nginx is not installed: apt-get install nginx-light (sh scripts/test-prerequisites.sh installs it)');
}
async function waitFor(check, what, timeoutMs = READY_TIMEOUT_MS) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (await check().catch(() => false))
            return;
        await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}
async function isReady(port) {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status === 200;
}
async function portOpen(host, port) {
    return await new Promise(resolve => {
        const socket = net.connect({ host, port }, () => { socket.end(); resolve(true); });
        socket.on('error', () => { resolve(false); });
    });
}
function prefixOutput(child, label) {
    for (const stream of [child.stdout, child.stderr]) {
        if (stream === null)
            continue;
        readline.createInterface({ input: stream }).on('line', line => { process.stdout.write(`[${label}] ${line}\n`); });
    }
}
async function waitExit(child) {
    if (child.exitCode !== null || child.signalCode !== null)
        return;
    await new Promise(resolve => child.once('exit', resolve));
}
async function run(options) {
    const env = process.env;
    const port = Number(env.PORT ?? '5000');
    const host = env.HOST ?? '127.0.0.1';
    if (!Number.isInteger(port) || port < 1 || port + options.instances > 65535)
        throw new Error('PORT must leave room for the instances above it');
    if (!/^(postgres|postgresql|mysql):\/\//.test(env.DATABASE_URL ?? ''))
        throw new Error('DATABASE_URL must be a PostgreSQL (or MySQL) URL: the instances share one database');
    if (!/^rediss?:\/\//.test(env.REDIS_URL ?? ''))
        throw new Error('REDIS_URL must be set: the instances share one Redis for the abuse limits');
    const nginxBinary = await findNginx();
    const holder = await readPidFile(options.pidFile);
    if (holder.kind === 'running')
        throw new Error(`another cluster (pid ${holder.pid}) holds ${options.pidFile}: stop it, or give this one --pid-file`);
    // One migration, before any instance starts.
    const migration = spawn(process.execPath, [CLI, 'migrate'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    prefixOutput(migration, 'migrate');
    await waitExit(migration);
    if (migration.exitCode !== 0)
        throw new Error('authsvc migrate failed');
    const serviceKeepAlive = Number(env.HTTP_KEEP_ALIVE_TIMEOUT ?? '5');
    const instances = [];
    let shuttingDown = false;
    async function startInstance(index) {
        const instance = instances[index];
        if (instance === undefined)
            return;
        const child = spawn(process.execPath, [CLI, 'serve'], {
            env: { ...env, HOST: '127.0.0.1', PORT: String(instance.port), TRUST_PROXY: '1', INSTANCE_NAME: instance.name },
            stdio: ['ignore', 'pipe', 'pipe']
        });
        instance.child = child;
        instance.stopping = false;
        prefixOutput(child, instance.name);
        child.once('exit', (code, signal) => {
            if (instance.stopping || shuttingDown)
                return;
            // Died on its own: started again, so the cluster keeps its size.
            log(`${instance.name} exited (${signal ?? code}); starting it again`);
            startInstance(index).catch((err) => { log(`${instance.name} could not start again: ${String(err)}`); });
        });
        await waitFor(async () => await isReady(instance.port), instance.name);
        log(`${instance.name} ready on 127.0.0.1:${instance.port} (pid ${child.pid ?? '?'})`);
    }
    async function stopInstance(index) {
        const instance = instances[index];
        if (instance?.child === null || instance?.child === undefined)
            return;
        instance.stopping = true;
        instance.child.kill('SIGTERM'); // drains: see deploy/nginx.conf and src/cli.ts
        await waitExit(instance.child);
        instance.child = null;
    }
    for (let i = 1; i <= options.instances; i++)
        instances.push({ name: `instance-${i}`, port: port + i, child: null, stopping: false });
    await Promise.all(instances.map(async (_, index) => { await startInstance(index); }));
    const prefix = await mkdtemp(path.join(os.tmpdir(), 'authsvc-nginx-'));
    await chmod(prefix, 0o755);
    for (const dir of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
        await mkdir(path.join(prefix, dir));
        await chmod(path.join(prefix, dir), 0o777); // nginx's workers run as another user
    }
    const template = await readFile(path.join(ROOT, 'deploy', 'nginx.conf'), 'utf8');
    const values = {
        prefix,
        listen: `${host.includes(':') ? `[${host}]` : host}:${port}`,
        // max_fails=0: an instance is never marked down for a while (during a rolling restart
        // that would leave none); a refused connection just moves the request to the next one.
        servers: instances.map(instance => `    server 127.0.0.1:${instance.port} max_fails=0;`).join('\n'),
        upstream_keepalive: String(Math.max(1, serviceKeepAlive - 1)),
        service_keepalive: String(serviceKeepAlive)
    };
    await writeFile(path.join(prefix, 'nginx.conf'), template.replace(/\{\{(\w+)\}\}/g, (_, name) => values[name] ?? ''));
    const nginx = spawn(nginxBinary, ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    prefixOutput(nginx, 'nginx');
    nginx.once('exit', (code, signal) => {
        if (shuttingDown)
            return;
        log(`nginx exited (${signal ?? code}); stopping the cluster`);
        void shutdown(1);
    });
    await waitFor(async () => await portOpen(host === '0.0.0.0' ? '127.0.0.1' : host, port), 'nginx');
    await writePidFile(options.pidFile);
    log(`ready: http://${values.listen} → ${instances.map(instance => `127.0.0.1:${instance.port}`).join(', ')}`);
    log(`pid ${process.pid} takes SIGHUP (rolling restart) and SIGTERM (stop); pid file ${options.pidFile} (authsvc cluster reload sends the SIGHUP)`);
    let restarting = null;
    let again = false;
    async function rollingRestart() {
        log('rolling restart: one instance at a time');
        for (let index = 0; index < instances.length && !shuttingDown; index++) {
            await stopInstance(index);
            // oxlint-disable-next-line typescript/no-unnecessary-condition -- a SIGTERM during the await sets it
            if (shuttingDown)
                return;
            await startInstance(index);
            // A moment for nginx to send it traffic again before the next one stops.
            await new Promise(resolve => setTimeout(resolve, SETTLE_MS));
        }
        log('rolling restart done');
    }
    process.on('SIGHUP', () => {
        if (restarting !== null) {
            again = true;
            return;
        }
        restarting = rollingRestart()
            .catch((err) => { log(`rolling restart failed: ${String(err)}`); })
            .finally(() => {
            restarting = null;
            if (again) {
                again = false;
                process.emit('SIGHUP', 'SIGHUP');
            }
        });
    });
    async function shutdown(code) {
        if (shuttingDown)
            return;
        shuttingDown = true;
        log('stopping nginx and the instances');
        nginx.kill('SIGQUIT'); // graceful: finishes the requests it has
        await waitExit(nginx);
        await Promise.all(instances.map(async (_, index) => { await stopInstance(index); }));
        await rm(prefix, { recursive: true, force: true });
        await removePidFile(options.pidFile);
        log('stopped');
        process.exit(code);
    }
    for (const signal of ['SIGINT', 'SIGTERM'])
        process.on(signal, () => { void shutdown(0); });
}
try {
    const options = parseArgs(process.argv.slice(2));
    if (options === 'help') {
        console.log(USAGE);
    }
    else {
        await run(options);
    }
}
catch (error) {
    console.error(`cluster: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(error instanceof Error && /usage|argument|--instances/.test(error.message) ? 2 : 1);
}
