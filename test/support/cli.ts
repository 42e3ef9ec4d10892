// Runs the real CLI (src/cli.ts through tsx, or dist/cli.js) in a child process.
import { type ChildProcess, spawn } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'

// AUTHSVC_CLI=dist runs the compiled CLI (`npm run build` first), the path `npm start` takes.
const COMPILED = process.env.AUTHSVC_CLI === 'dist'
export const CLI_ARGS = COMPILED ? [path.resolve('dist/cli.js')] : ['--import', 'tsx', path.resolve('src/cli.ts')]
// Where a CLI run without SMTP_URL writes its mail, unless the test says otherwise.
const OUTBOX = path.join(os.tmpdir(), `authsvc-test-outbox-${process.pid}`)

export interface CliRun { code: number | null, stdout: string, stderr: string }

export interface CliProcess extends Promise<CliRun> {
  readonly child: ChildProcess
}

/** Starts `authsvc <args>` with only PATH and `env` in its environment; `input`, when
 *  given, is its stdin (else stdin is closed). */
export function runCli (args: string[], env: Record<string, string>, input?: string): CliProcess {
  const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
    env: { PATH: process.env.PATH ?? '', MAIL_OUTBOX: OUTBOX, ...env },
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
  })
  if (input !== undefined) child.stdin?.end(input)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const done = new Promise<CliRun>(resolve => child.on('close', code => { resolve({ code, stdout, stderr }) }))
  return Object.assign(done, { child })
}
