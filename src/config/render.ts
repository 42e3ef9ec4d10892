// The settings table written out: the configuration part of `authsvc --help`, and
// docs/configuration.md (npm run docs:config writes it; a test fails when it is stale).
import { GROUPS, type Group, type Setting } from './setting.js'
import { SETTINGS } from './settings.js'
import { PROVIDER_SETTINGS } from './upstream-settings.js'

function byGroup (): Array<[Group, Array<[string, Setting<unknown>]>]> {
  const entries = Object.entries(SETTINGS) as Array<[string, Setting<unknown>]>
  return (Object.keys(GROUPS) as Group[]).map(group => [group, entries.filter(([, setting]) => setting.group === group)])
}

/** Markdown in a terminal: `a` → a. */
const plain = (markdown: string): string => markdown.replace(/`/g, '')

/** Each provider's settings, OIDC_<NAME>_<SUFFIX>, with the providers each applies to. */
function providerSettings (): Array<[string, Setting<unknown>, string]> {
  return Object.entries(PROVIDER_SETTINGS).map(([suffix, setting]) => {
    const only = 'for' in setting ? setting.for : undefined
    return [`OIDC_<NAME>_${suffix}`, setting, only === undefined ? 'every provider' : only.map(name => `\`${name}\``).join(', ')]
  })
}

/** One line per variable, NAME=default (NAME alone when unset), grouped. */
export function configurationHelp (): string {
  const lines = ['Configuration: environment variables (docs/configuration.md has each one in full). NAME=default:']
  for (const [group, settings] of byGroup()) {
    lines.push(`  ${GROUPS[group]}`)
    for (const [name, setting] of settings) {
      const left = `    ${name}${setting.defaultValue === null ? '' : `=${setting.defaultValue}`}`
      // A short range is worth a place on the line; a long one is in the docs.
      const range = plain(setting.range)
      lines.push(`${left.padEnd(38)}${left.length >= 38 ? ' ' : ''}${setting.summary}${range.length <= 32 ? ` [${range}]` : ''}`)
    }
    if (group === 'upstream') {
      for (const [name, setting] of providerSettings()) {
        const left = `    ${name}${setting.defaultValue === null ? '' : `=${setting.defaultValue}`}`
        lines.push(`${left.padEnd(38)}${left.length >= 38 ? ' ' : ''}${setting.summary}`)
      }
    }
  }
  return lines.join('\n')
}

const cell = (markdown: string): string => markdown.replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function configurationMarkdown (): string {
  const parts = [
    '# Configuration',
    '',
    '<!-- Written by `npm run docs:config` from src/config/settings.ts; edit that file, not this one. -->',
    '',
    'All settings are environment variables, read and checked once at start-up; a value',
    'outside its allowed range stops the service with a message naming the variable (all',
    'problems at once). Numbers are whole numbers; durations are in seconds unless the',
    'name or the text says otherwise. An empty value counts as unset. `true`/`false` also',
    'accept `1`/`0`, `yes`/`no`, `on`/`off`. `authsvc --help` lists them in short.'
  ]
  for (const [group, settings] of byGroup()) {
    parts.push('', `## ${GROUPS[group]}`, '', '| variable | default | allowed | meaning |', '|---|---|---|---|')
    for (const [name, setting] of settings) {
      parts.push(`| \`${name}\` | ${cell(setting.shownDefault)} | ${cell(setting.range)} | ${cell(setting.doc)} |`)
    }
    if (group === 'upstream') {
      parts.push('', 'Each provider named in `OIDC_PROVIDERS` reads these, `<NAME>` its name in capitals (`OIDC_GOOGLE_CLIENT_ID`):',
        '', '| variable | for | default | allowed | meaning |', '|---|---|---|---|---|')
      for (const [name, setting, only] of providerSettings()) {
        parts.push(`| \`${name}\` | ${only} | ${cell(setting.shownDefault)} | ${cell(setting.range)} | ${cell(setting.doc)} |`)
      }
    }
  }
  parts.push('', 'Production (`NODE_ENV=production`) differs from development in four ways: the cookie gets',
    '`Secure`; `SMTP_URL`, `PUBLIC_URL` and `ENCRYPTION_KEY` are required; `RESET_TOKEN_IN_RESPONSE` and',
    '`COMPAT=course` are refused; `serve` does not migrate the database (run `npx authsvc migrate` first;',
    '`serve` refuses to start while migrations are pending).')
  return `${parts.join('\n')}\n`
}
