// `authsvc keys rotate | list [--json]`: the signing keys of ID tokens and session JWTs
// (src/provider/keys.ts). Neither prints private material: kids, algorithms and times.
import { parseArgs } from 'node:util'
import type { Services } from '../services.js'
import { listSigningKeys, longestTokenLifetimeSeconds, rotateSigningKeys, type SigningKeyInfo } from '../provider/keys.js'
import { iso, table } from './admin.js'
import { UsageError } from './usage.js'

export const KEYS_USAGE = `Signing keys (ID tokens and session JWTs; add --json for one JSON document on stdout):
  keys rotate                           Make a new RS256 and ES256 key: published at once (every instance
                                        serves it within 5 s), signing after KEY_ROTATION_DELAY; the old
                                        keys stay published until the tokens they signed have expired
  keys list                             Every stored key: kid, alg, created, signs from, retired, published
Exit codes: 0 done, 1 failed, 2 wrong usage.`

export interface KeysCommand {
  readonly name: 'keys rotate' | 'keys list'
  readonly json: boolean
}

/** Reads `keys rotate|list [--json]`; throws UsageError. */
export function parseKeysCommand (argv: readonly string[]): KeysCommand {
  const [, action, ...args] = argv
  if (action !== 'rotate' && action !== 'list') throw new UsageError(`unknown command: keys ${action ?? ''}`.trim())
  let parsed
  try {
    parsed = parseArgs({ args: [...args], options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
  if (parsed.positionals.length > 0) throw new UsageError(`keys ${action} takes no arguments besides --json`)
  return { name: `keys ${action}`, json: parsed.values.json === true }
}

function keyJson (key: SigningKeyInfo): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    created_at: iso(key.createdAt),
    signs_from: iso(key.signsFrom),
    retired_at: iso(key.retiredAt),
    signing: key.signing,
    published: key.published,
    published_until: iso(key.publishedUntil),
    usable: key.usable
  }
}

/** What the STATE column says of a key. */
function stateOf (key: SigningKeyInfo, now: number): string {
  if (!key.usable) return 'cannot be opened (ENCRYPTION_KEY entry missing)'
  if (key.signing) return 'signing'
  if (key.signsFrom > now && (key.retiredAt === null || key.retiredAt > key.signsFrom)) return 'next'
  return key.published ? 'retired, published' : 'retired'
}

/** Runs the command and returns what to print on stdout. */
export async function runKeysCommand (services: Services, command: KeysCommand): Promise<string> {
  const { config, db, auth } = services
  const now = auth.now()
  if (command.name === 'keys rotate') {
    const delaySeconds = config.signingKeys.rotationDelaySeconds
    const created = await rotateSigningKeys(db, auth.secretBox, now, delaySeconds)
    services.logger.info({ keys: created.map(key => ({ kid: key.kid, alg: key.alg, signsFrom: iso(key.signsFrom) })) }, 'signing keys rotated')
    if (command.json) return JSON.stringify({ keys: created.map(key => ({ kid: key.kid, alg: key.alg, created_at: iso(key.createdAt), signs_from: iso(key.signsFrom) })) })
    return [
      `published ${created.length} new signing keys; they sign from the time shown (KEY_ROTATION_DELAY=${delaySeconds} s), the old ones until then:`,
      ...created.map(key => `  ${key.alg}  ${key.kid}  signs from ${iso(key.signsFrom) ?? ''}`)
    ].join('\n')
  }
  const keys = await listSigningKeys(db, auth.secretBox, now, longestTokenLifetimeSeconds(config.sessionJwt.ttlSeconds))
  if (command.json) return JSON.stringify({ keys: keys.map(keyJson) })
  if (keys.length === 0) return 'no signing keys yet: the service makes them at its first start (or run: authsvc keys rotate)'
  return table(['KID', 'ALG', 'CREATED', 'SIGNS FROM', 'RETIRED', 'PUBLISHED', 'STATE'],
    keys.map(key => [key.kid, key.alg, iso(key.createdAt) ?? '', iso(key.signsFrom) ?? '', iso(key.retiredAt) ?? '-',
      key.published ? (key.publishedUntil === null ? 'yes' : `until ${iso(key.publishedUntil) ?? ''}`) : 'no', stateOf(key, now)]))
}
