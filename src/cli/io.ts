// What a CLI run reads and writes, passed in rather than taken from `process`, so that a
// test can run a command in its own process: its environment, its stdin, its output.
import type { Env } from '../config.js'

/** A place to write (process.stdout, or a test's buffer); isTTY picks readable logs. */
export interface Output {
  write: (text: string) => unknown
  readonly isTTY?: boolean
}

/** A terminal, when stdin is one: it can stop echoing for the password prompt. */
export type Input = NodeJS.ReadableStream & { readonly isTTY?: boolean, setRawMode?: (raw: boolean) => unknown }

export interface CliIo {
  /** The environment loadConfig() reads: never process.env itself in a test. */
  readonly env: Env
  readonly stdin: Input
  readonly stdout: Output
  readonly stderr: Output
}

/** The real process's: what the bin file (src/cli.ts) passes. */
export function processIo (): CliIo {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }
}

export const writeLine = (output: Output, text: string): void => { output.write(`${text}\n`) }
