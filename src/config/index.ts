// The configuration: one table of settings (settings.ts) → loadConfig(), --help and
// docs/configuration.md; the frozen Config (types.ts).
export { type Env, loadConfig } from './load.js'
export { redactUrl } from './parsers.js'
export { configurationHelp, configurationMarkdown } from './render.js'
export { SETTINGS, type SettingName } from './settings.js'
export * from './types.js'
