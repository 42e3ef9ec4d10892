#!/usr/bin/env node
// The bin file: the one top-level side effect. It runs the command (src/main.ts) with this
// process's environment and streams and exits with its code. main.ts is imported here, in
// a try, so that a native module built for another Node.js, should it fail as the modules
// load, is one line with the command that fixes it rather than a stack trace.
import { describeNativeModuleMismatch } from './cli/native-module.js';
try {
    const { run } = await import('./main.js');
    process.exit(await run(process.argv.slice(2)));
}
catch (error) {
    console.error(describeNativeModuleMismatch(error, process.env) ?? error);
    process.exit(1);
}
