// The configuration: one table of settings (settings.ts) → loadConfig(), --help and
// docs/configuration.md; the frozen Config (types.ts).
export { loadConfig } from './load.js';
export { redactUrl } from './parsers.js';
export { configurationHelp, configurationMarkdown } from './render.js';
export { SETTINGS } from './settings.js';
export * from './types.js';
