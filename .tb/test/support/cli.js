// The CLI two ways: in this process through run(argv, io) (src/main.ts), with its own
// environment and streams, which is how most tests call it; or as a child process (the
// built dist/cli.js, or src/cli.ts through tsx) for what only a process shows: exit
// codes of the bin, `serve` and its signals, a terminal.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../src/main.js';
// AUTHSVC_CLI=dist runs the compiled CLI (`npm run build` first), the path `npm start` takes.
const COMPILED = process.env.AUTHSVC_CLI === 'dist';
export const CLI_ARGS = COMPILED ? [path.resolve('dist/cli.js')] : ['--import', 'tsx', path.resolve('src/cli.ts')];
// Where a CLI run without SMTP_URL writes its mail, unless the test says otherwise.
const OUTBOX = path.join(os.tmpdir(), `authsvc-test-outbox-${process.pid}`);
/** Runs `authsvc <args>` in this process with `env` as its whole environment (plus a
 *  MAIL_OUTBOX of the test's) and `input`, when given, as its stdin (else an empty one). */
export async function runCli(args, env, input) {
    let stdout = '';
    let stderr = '';
    const code = await run(args, {
        env: { MAIL_OUTBOX: OUTBOX, ...env },
        stdin: Readable.from(input === undefined ? [] : [input]),
        stdout: { write: (text) => { stdout += text; } },
        stderr: { write: (text) => { stderr += text; } }
    });
    return { code, stdout, stderr };
}
/** Starts `authsvc <args>` as a child process with only PATH and `env` in its
 *  environment; `input`, when given, is its stdin (else stdin is closed). */
export function spawnCli(args, env, input, nodeOptions = []) {
    const child = spawn(process.execPath, [...nodeOptions, ...CLI_ARGS, ...args], {
        env: { PATH: process.env.PATH ?? '', MAIL_OUTBOX: OUTBOX, ...env },
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    });
    if (input !== undefined)
        child.stdin?.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => { stdout += chunk.toString(); });
    child.stderr?.on('data', (chunk) => { stderr += chunk.toString(); });
    const done = new Promise(resolve => child.on('close', code => { resolve({ code, stdout, stderr }); }));
    return Object.assign(done, { child });
}
