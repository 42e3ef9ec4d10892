// Runs the real CLI (src/cli.ts through tsx) in a child process.
import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'

const CLI = path.resolve('src/cli.ts')

export interface CliRun { code: number | null, stdout: string, stderr: string }

export interface CliProcess extends Promise<CliRun> {
  readonly child: ChildProcess
}

/** Starts `authsvc <args>` with only PATH and `env` in its environment. */
export function runCli (args: string[], env: Record<string, string>): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const done = new Promise<CliRun>(resolve => child.on('close', code => { resolve({ code, stdout, stderr }) }))
  return Object.assign(done, { child })
}
