/** The real process's: what the bin file (src/cli.ts) passes. */
export function processIo() {
    return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}
export const writeLine = (output, text) => { output.write(`${text}\n`); };
