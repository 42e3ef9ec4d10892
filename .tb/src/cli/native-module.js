// A native module built for another Node.js (better-sqlite3 after an `npm install` done
// under another version, then `npm start` under this one): Node throws ERR_DLOPEN_FAILED
// with "NODE_MODULE_VERSION 115 … requires NODE_MODULE_VERSION 127" and a stack trace.
// The operator needs one line: what is wrong and the one command that fixes it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// This project's folder (src/cli or dist/cli is two below it): where npm rebuilds it.
const PROJECT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The one line to print for a native module built for another Node, or null for any other error. */
export function describeNativeModuleMismatch(error, env, execPath = process.execPath) {
    const message = error instanceof Error ? error.message : String(error);
    const versions = /NODE_MODULE_VERSION (\d+)[\s\S]*?requires\s+NODE_MODULE_VERSION (\d+)/.exec(message);
    if (versions === null)
        return null;
    const module = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(message)?.[1]?.replace(/\\/g, '/') ?? 'better-sqlite3';
    return `${module} was built for another Node.js (module version ${versions[1] ?? '?'}; this Node.js ${process.version} needs ${versions[2] ?? '?'}): in ${PROJECT} run "${rebuildCommand(module, env, execPath)}" with this Node.js, then start again`;
}
/**
 * `npm rebuild <module>`. Only when npm is configured with the headers of another Node
 * (`nodedir` in an npmrc, which npm passes on as npm_config_nodedir) does that build
 * against the wrong version, "succeed", and fail as before: then the command points
 * nodedir at this Node's own headers (the official builds and nvm have them beside the
 * binary), which also spares the download from nodejs.org.
 */
export function rebuildCommand(module, env, execPath = process.execPath) {
    const prefix = path.resolve(path.dirname(execPath), '..');
    const configured = env.npm_config_nodedir;
    const wrongHeaders = configured !== undefined && configured !== '' && path.resolve(configured) !== prefix;
    const ownHeaders = fs.existsSync(path.join(prefix, 'include', 'node', 'node_version.h'));
    return `${wrongHeaders && ownHeaders ? `npm_config_nodedir=${prefix} ` : ''}npm rebuild ${module}`;
}
