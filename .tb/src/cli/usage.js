// The CLI's exit codes, and the error that means "the command line is wrong".
export const EXIT_OK = 0;
/** The command failed (database unreachable, a password the policy refuses …). */
export const EXIT_ERROR = 1;
/** The command line is wrong, or what it names does not exist. */
export const EXIT_USAGE = 2;
/** A wrong command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
    constructor(message) {
        super(message);
        this.name = 'UsageError';
    }
}
