// The configuration lives in src/config/ (one settings table feeds loadConfig(), --help
// and docs/configuration.md); this module keeps the old import path working.
export * from './config/index.js';
