// The signing keys of ID tokens (the OpenID Connect provider) and of session JWTs (POST
// /sessions/token): one RS256 key (RSA 2048) and one ES256 key (P-256) sign at a time.
// Each private JWK is stored sealed under ENCRYPTION_KEY (src/auth/secret-box.ts), with
// its kid as the additional data, so a box copied to another row does not open.
//
// A key's life: published (in the JWKS) from created_at; signs from signs_from; retired at
// retired_at, which `keys rotate` writes when it adds the key's successor: the time the
// successor starts signing. A retired key stays published until retired_at + the longest
// lifetime a token it signed can have + PUBLISH_MARGIN_SECONDS, then it is left out and
// the sweep may delete it. Which key signs is decided from those times alone, so every
// instance that has read the same rows picks the same key. This module owns oidc_keys.
import { createHash, randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import type { SecretBox } from '../auth/secret-box.js'
import type { Db } from '../db/index.js'
import { createLeases } from '../db/leases.js'

/** What we sign with, each always available; oidc-provider signs with the first key of an alg. */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const
export type SigningAlg = typeof SIGNING_ALGS[number]

/** The ID tokens' lifetime (oidc-provider's default ttl.IdToken); the provider must not set a longer one. */
export const ID_TOKEN_LIFETIME_SECONDS = 3600
/** Added to a retired key's publication: instances re-read the keys every 5 s, so one may
 *  still sign with a key for a few seconds after it retired, and clocks differ a little. */
export const PUBLISH_MARGIN_SECONDS = 60

/** The longest lifetime of a token our keys sign: ID tokens, session JWTs (SESSION_JWT_TTL). */
export function longestTokenLifetimeSeconds (sessionJwtTtlSeconds: number): number {
  return Math.max(ID_TOKEN_LIFETIME_SECONDS, sessionJwtTtlSeconds)
}

/** How long a retired key stays published (and kept): the longest token lifetime and the margin. */
export function publicationAfterRetirementSeconds (maxTokenLifetimeSeconds: number): number {
  return maxTokenLifetimeSeconds + PUBLISH_MARGIN_SECONDS
}

export interface SigningKeySet {
  /** Private JWKs (kid, alg, use: 'sig') of every published key, for oidc-provider's `jwks`:
   *  by alg, the key that signs now first, then the others newest first. */
  readonly keys: readonly JWK[]
  /** The public parts of the same keys, in the same order: the JWKS document. */
  readonly publicJwks: { readonly keys: readonly JWK[] }
  /** Changes whenever the keys or their order change (a hash of the kids in order). */
  readonly version: string
  /** When the set or its order changes by time alone (a pending key starts signing, a
   *  retired one is no longer published); null: not without a change in the database. */
  readonly nextChangeAt: number | null
  /** Keys left out because they cannot be opened (their ENCRYPTION_KEY entry is gone, or the row was altered). */
  readonly unusable: ReadonlyArray<{ readonly kid: string, readonly alg: string, readonly encryptionKeyId: string }>
}

/** No key of an alg can be used: none stored (`missing`), or none that opens (`unusable`). */
export class SigningKeyError extends Error {
  constructor (readonly reason: 'missing' | 'unusable', readonly alg: string, message: string) {
    super(message)
    this.name = 'SigningKeyError'
  }
}

/** A row of oidc_keys, the private JWK still sealed. */
export interface StoredKey {
  readonly kid: string
  readonly alg: string
  readonly sealed: string
  readonly encryptionKeyId: string
  readonly createdAt: number
  readonly signsFrom: number
  readonly retiredAt: number | null
}

/** A key as `authsvc keys list` shows it: never its private part. */
export interface SigningKeyInfo {
  readonly kid: string
  readonly alg: string
  readonly createdAt: number
  readonly signsFrom: number
  readonly retiredAt: number | null
  /** It signs this alg's tokens now. */
  readonly signing: boolean
  readonly published: boolean
  /** When it stops being published (a retired key); null while not retired. */
  readonly publishedUntil: number | null
  /** It opens with the ENCRYPTION_KEY entries configured. */
  readonly usable: boolean
}

const sealContext = (kid: string): string => `oidc-key:${kid}`

export async function readStoredKeys (db: Db): Promise<StoredKey[]> {
  const rows = await db.selectFrom('oidc_keys').selectAll().orderBy('created_at').orderBy('kid').execute()
  return rows.map(row => ({
    kid: row.kid,
    alg: row.alg,
    sealed: row.private_jwk,
    encryptionKeyId: row.key_id,
    createdAt: Number(row.created_at),
    signsFrom: Number(row.signs_from),
    retiredAt: row.retired_at === null ? null : Number(row.retired_at)
  }))
}

/** The private JWK of a stored key, or null when it does not open or is not what its row says. */
export function openStoredKey (box: SecretBox, key: StoredKey): JWK | null {
  const json = box.open({ box: key.sealed, keyId: key.encryptionKeyId }, sealContext(key.kid))
  if (json === null) return null
  const jwk = JSON.parse(json) as JWK
  return jwk.kid === key.kid && jwk.alg === key.alg ? jwk : null
}

/** The public members of a JWK (RSA: n, e; EC: crv, x, y), never a private one. */
export function publicJwkOf (jwk: JWK): JWK {
  const { kty, n, e, crv, x, y, kid, alg, use } = jwk
  return kty === 'RSA' ? { kty, n, e, kid, alg, use } : { kty, crv, x, y, kid, alg, use }
}

interface Arranged {
  /** Per alg: the usable keys in order (the signer first) and their private JWKs. */
  readonly published: Array<{ key: StoredKey, jwk: JWK }>
  readonly signers: ReadonlyMap<string, string>
  readonly nextChangeAt: number | null
  readonly unusable: StoredKey[]
}

const newestFirst = (a: StoredKey, b: StoredKey): number => b.signsFrom - a.signsFrom || b.createdAt - a.createdAt || (a.kid < b.kid ? -1 : 1)

/** The signer of one alg's usable keys at `now`: the newest that signs and is not retired;
 *  failing that (its successor does not open) the newest that ever signed; failing that
 *  (only pending keys open) the first pending one. */
function signerOf (keys: readonly StoredKey[], now: number): StoredKey | undefined {
  const started = keys.filter(key => key.signsFrom <= now).sort(newestFirst)
  return started.find(key => key.retiredAt === null || key.retiredAt > now) ?? started[0] ?? [...keys].sort((a, b) => a.signsFrom - b.signsFrom)[0]
}

function arrange (stored: readonly StoredKey[], box: SecretBox, now: number, maxTokenLifetimeSeconds: number): Arranged {
  const afterRetirementMs = publicationAfterRetirementSeconds(maxTokenLifetimeSeconds) * 1000
  const published: Array<{ key: StoredKey, jwk: JWK }> = []
  const signers = new Map<string, string>()
  const unusable: StoredKey[] = []
  const changes: number[] = []
  for (const alg of new Set([...SIGNING_ALGS, ...stored.map(key => key.alg)])) {
    const usable: Array<{ key: StoredKey, jwk: JWK }> = []
    for (const key of stored.filter(key => key.alg === alg)) {
      const jwk = openStoredKey(box, key)
      if (jwk === null) unusable.push(key)
      else usable.push({ key, jwk })
    }
    const signer = signerOf(usable.map(({ key }) => key), now)
    if (signer === undefined) continue
    signers.set(alg, signer.kid)
    const shown = usable.filter(({ key }) => key === signer || key.retiredAt === null || now < key.retiredAt + afterRetirementMs)
    shown.sort((a, b) => a.key === signer ? -1 : b.key === signer ? 1 : newestFirst(a.key, b.key))
    published.push(...shown)
    for (const { key } of usable) {
      changes.push(key.signsFrom)
      if (key.retiredAt !== null) changes.push(key.retiredAt, key.retiredAt + afterRetirementMs)
    }
  }
  const future = changes.filter(time => time > now)
  return { published, signers, nextChangeAt: future.length === 0 ? null : Math.min(...future), unusable }
}

/** Throws SigningKeyError unless each of SIGNING_ALGS has a usable key. */
function assertEveryAlg (stored: readonly StoredKey[], arranged: Arranged): void {
  for (const alg of SIGNING_ALGS) {
    if (arranged.signers.has(alg)) continue
    const sealedWith = [...new Set(stored.filter(key => key.alg === alg).map(key => key.encryptionKeyId))]
    if (sealedWith.length === 0) throw new SigningKeyError('missing', alg, `no ${alg} signing key in the database`)
    throw new SigningKeyError('unusable', alg, `no usable ${alg} signing key: every stored one was sealed under an ENCRYPTION_KEY entry that is no longer configured (fingerprint ${sealedWith.join(', ')}) or was altered; add that key back to ENCRYPTION_KEY (after the newest), or run "authsvc keys rotate" to make new signing keys`)
  }
}

/** The keys of `stored` as the provider and the session JWTs use them at `now` (see SigningKeySet). */
export function arrangeSigningKeys (stored: readonly StoredKey[], box: SecretBox, now: number, maxTokenLifetimeSeconds: number): SigningKeySet {
  const arranged = arrange(stored, box, now, maxTokenLifetimeSeconds)
  assertEveryAlg(stored, arranged)
  const keys = arranged.published.map(({ jwk }) => jwk)
  return {
    keys,
    publicJwks: { keys: keys.map(publicJwkOf) },
    version: createHash('sha256').update(keys.map(jwk => jwk.kid).join(',')).digest('base64url').slice(0, 16),
    nextChangeAt: arranged.nextChangeAt,
    unusable: arranged.unusable.map(key => ({ kid: key.kid, alg: key.alg, encryptionKeyId: key.encryptionKeyId }))
  }
}

/**
 * The published keys at `now`, the signer of each alg first. `maxTokenLifetimeSeconds`:
 * the longest lifetime of a token these keys sign (longestTokenLifetimeSeconds(); by
 * default the ID tokens' 3600 s). Throws SigningKeyError when an alg has no usable key.
 */
export async function loadSigningKeys (db: Db, box: SecretBox, now: number, maxTokenLifetimeSeconds = ID_TOKEN_LIFETIME_SECONDS): Promise<SigningKeySet> {
  return arrangeSigningKeys(await readStoredKeys(db), box, now, maxTokenLifetimeSeconds)
}

/** Every stored key and its state at `now` (`authsvc keys list`), oldest first. */
export async function listSigningKeys (db: Db, box: SecretBox, now: number, maxTokenLifetimeSeconds: number): Promise<SigningKeyInfo[]> {
  const stored = await readStoredKeys(db)
  const arranged = arrange(stored, box, now, maxTokenLifetimeSeconds)
  const published = new Set(arranged.published.map(({ key }) => key.kid))
  const signing = new Set(arranged.signers.values())
  const afterRetirementMs = publicationAfterRetirementSeconds(maxTokenLifetimeSeconds) * 1000
  return stored.map(key => ({
    kid: key.kid,
    alg: key.alg,
    createdAt: key.createdAt,
    signsFrom: key.signsFrom,
    retiredAt: key.retiredAt,
    signing: signing.has(key.kid),
    published: published.has(key.kid),
    publishedUntil: key.retiredAt === null ? null : key.retiredAt + afterRetirementMs,
    usable: !arranged.unusable.includes(key)
  }))
}

/** A new key pair of `alg`: its private JWK with a random kid. */
async function generateSigningJwk (alg: SigningAlg): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, alg === 'RS256' ? { modulusLength: 2048, extractable: true } : { extractable: true })
  return { ...await exportJWK(privateKey), kid: randomBytes(16).toString('base64url'), alg, use: 'sig' }
}

function rowOf (box: SecretBox, jwk: JWK & { kid: string, alg: string }, createdAt: number, signsFrom: number): { kid: string, alg: string, private_jwk: string, key_id: string, created_at: number, signs_from: number, retired_at: null } {
  const sealed = box.seal(JSON.stringify(jwk), sealContext(jwk.kid))
  return { kid: jwk.kid, alg: jwk.alg, private_jwk: sealed.box, key_id: sealed.keyId, created_at: createdAt, signs_from: signsFrom, retired_at: null }
}

const LEASE = 'oidc-keys'
const LEASE_TTL_MS = 60_000
const LEASE_POLL_MS = 100

/**
 * Runs `work` while holding the lease of the keys table: key creation and rotation, one
 * instance or command at a time. Another holder's lease is waited for (it is given up
 * when its work ends, or expires after a minute if its holder died).
 */
async function withKeyLease<T> (db: Db, work: () => Promise<T>): Promise<T> {
  const leases = createLeases(db, `keys-${randomBytes(6).toString('hex')}`)
  const giveUpAt = Date.now() + LEASE_TTL_MS + 10_000
  while (!await leases.acquire(LEASE, LEASE_TTL_MS)) {
    if (Date.now() > giveUpAt) throw new Error('the signing keys are locked by another instance (job lease "oidc-keys") and it did not finish within a minute')
    await new Promise(resolve => setTimeout(resolve, LEASE_POLL_MS))
  }
  try {
    return await work()
  } finally {
    await leases.release(LEASE)
  }
}

async function algsWithoutKeys (db: Db): Promise<SigningAlg[]> {
  const present = new Set((await db.selectFrom('oidc_keys').select('alg').distinct().execute()).map(row => row.alg))
  return SIGNING_ALGS.filter(alg => !present.has(alg))
}

/**
 * A first key for each alg that has none (the first start), signing at once. Two
 * instances starting together on an empty table would each make a key; the lease
 * makes them take turns, and the second finds the first one's keys and adds none (a
 * re-read after inserting could not tell which of two keys either instance had
 * already signed with).
 */
export async function ensureSigningKeys (db: Db, box: SecretBox, now: number): Promise<void> {
  if ((await algsWithoutKeys(db)).length === 0) return
  await withKeyLease(db, async () => {
    const missing = await algsWithoutKeys(db)
    const jwks = await Promise.all(missing.map(generateSigningJwk))
    for (const jwk of jwks) await db.insertInto('oidc_keys').values(rowOf(box, jwk as JWK & { kid: string, alg: SigningAlg }, now, now)).execute()
  })
}

/**
 * A new key for each alg, published at once and signing from now + delaySeconds
 * (KEY_ROTATION_DELAY); the keys they replace retire then. An alg without any key gets
 * one that signs at once (nothing to wait for). Returns the new keys.
 */
export async function rotateSigningKeys (db: Db, box: SecretBox, now: number, delaySeconds: number): Promise<Array<{ kid: string, alg: SigningAlg, createdAt: number, signsFrom: number }>> {
  // Made before the transaction: an RSA key takes a while, and SQLite would hold its write lock.
  const jwks = await Promise.all(SIGNING_ALGS.map(generateSigningJwk))
  return await withKeyLease(db, async () => await db.transaction().execute(async trx => {
    const created = []
    for (const [index, alg] of SIGNING_ALGS.entries()) {
      const jwk = jwks[index] as JWK & { kid: string, alg: SigningAlg }
      const existing = await trx.selectFrom('oidc_keys').select('kid').where('alg', '=', alg).limit(1).execute()
      const signsFrom = existing.length === 0 ? now : now + delaySeconds * 1000
      // The key signing now (and a pending one a rotation before this one added) retire
      // when this one starts: one signer at any time.
      await trx.updateTable('oidc_keys').set({ retired_at: signsFrom })
        .where('alg', '=', alg)
        .where(eb => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', signsFrom)]))
        .execute()
      await trx.insertInto('oidc_keys').values(rowOf(box, jwk, now, signsFrom)).execute()
      created.push({ kid: jwk.kid, alg, createdAt: now, signsFrom })
    }
    return created
  }))
}

/**
 * Deletes the keys retired more than `keepSeconds` ago (the sweep passes
 * publicationAfterRetirementSeconds(): once no longer published), but only where a key of
 * the same alg signs in their place; returns how many went.
 */
export async function deleteRetiredKeys (db: Db, now: number, keepSeconds: number): Promise<number> {
  const stored = await readStoredKeys(db)
  const doomed = stored.filter(key => key.retiredAt !== null && key.retiredAt + keepSeconds * 1000 <= now &&
    stored.some(other => other.alg === key.alg && other.retiredAt === null && other.signsFrom <= now))
  if (doomed.length === 0) return 0
  const result = await db.deleteFrom('oidc_keys').where('kid', 'in', doomed.map(key => key.kid)).where('retired_at', '<=', now - keepSeconds * 1000).executeTakeFirst()
  return Number(result.numDeletedRows)
}
