// The frozen Config that loadConfig() returns and the rest of the code reads; each field
// names the variable it comes from in settings.ts where the name is not obvious.
export class ConfigError extends Error {
    problems;
    constructor(problems) {
        super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
        this.problems = problems;
        this.name = 'ConfigError';
    }
}
