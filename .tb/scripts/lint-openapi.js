// `npm run lint:openapi`: builds the OpenAPI document in-process, as GET /openapi.json
// serves it with the default settings (SQLite in memory, no server listening), and lints
// it with Redocly CLI's recommended rules (redocly.yaml). Exits with Redocly's status:
// non-zero on any error. `--out FILE` also keeps the document there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { createServices } from '../src/services.js';
const ROOT = path.resolve(import.meta.dirname, '..');
/** Runs Redocly CLI's `lint` on a document file with this repository's redocly.yaml. */
export function lintOpenApi(file, stdio = 'inherit') {
    const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
    const run = spawnSync(process.execPath, [cli, 'lint', '--config', path.join(ROOT, 'redocly.yaml'), file], {
        stdio: stdio === 'inherit' ? 'inherit' : 'pipe',
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' }
    });
    return { status: run.status ?? 1, output: `${run.stdout ?? ''}${run.stderr ?? ''}` };
}
async function buildDocument() {
    const config = loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent' });
    const services = await createServices(config, { logger: pino({ level: 'silent' }) });
    const migration = await migrateToLatest(services.db);
    if (migration.error !== undefined)
        throw migration.error instanceof Error ? migration.error : new Error('migration failed', { cause: migration.error });
    const app = await buildApp(services);
    try {
        await app.ready();
        return app.swagger();
    }
    finally {
        await app.close();
    }
}
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
    const out = process.argv.indexOf('--out');
    const folder = mkdtempSync(path.join(os.tmpdir(), 'authsvc-openapi-'));
    const file = out === -1 ? path.join(folder, 'openapi.json') : path.resolve(process.argv[out + 1] ?? 'openapi.json');
    try {
        writeFileSync(file, `${JSON.stringify(await buildDocument(), null, 2)}\n`);
        process.exitCode = lintOpenApi(file).status;
    }
    finally {
        rmSync(folder, { recursive: true, force: true });
    }
}
