// The signing keys as the running service reads them: the rows of oidc_keys cached for
// at most REFRESH_MS (API.md: every instance serves a rotated key within 5 s), arranged
// again whenever their order changes by time alone (a pending key starts signing), and
// the imported private keys kept by kid. Built once by createServices(); the session-JWT
// route and the OpenID Connect provider both read it. Keys are made on first need (the
// first start of `serve`, or the first token on a database without keys).
import { importJWK } from 'jose'
import type { SecretBox } from '../auth/secret-box.js'
import type { Db } from '../db/index.js'
import { arrangeSigningKeys, ensureSigningKeys, readStoredKeys, SIGNING_ALGS, SigningKeyError, type SigningAlg, type SigningKeySet, type StoredKey } from './keys.js'

/** How old the cached rows may get before a read goes back to the database. */
export const REFRESH_MS = 5000

export interface SigningKeyStore {
  /** The published keys now (private JWKs for oidc-provider's `jwks`, the public JWKS, a
   *  version to compare): at most REFRESH_MS behind the database. Throws SigningKeyError
   *  when an alg has no usable key. */
  current: () => Promise<SigningKeySet>
  /** The key that signs `alg` now, ready for jose (SignJWT.sign), with its kid. */
  signingKey: (alg: SigningAlg) => Promise<{ readonly kid: string, readonly key: CryptoKey }>
  /** Waits for a read under way; nothing is read after it. */
  close: () => Promise<void>
}

export interface SigningKeyStoreOptions {
  readonly db: Db
  readonly box: SecretBox
  /** The service's clock (milliseconds). */
  readonly now: () => number
  /** The longest lifetime of a token the keys sign (longestTokenLifetimeSeconds()). */
  readonly maxTokenLifetimeSeconds: number
  /** Where a key that does not open, or a failed re-read served from the cache, is reported. */
  readonly warn: (obj: object, msg: string) => void
}

export class CachedSigningKeyStore implements SigningKeyStore {
  #rows: readonly StoredKey[] | undefined
  #readAt = 0
  #set: SigningKeySet | undefined
  #reading: Promise<void> | undefined
  #closed = false
  readonly #imported = new Map<string, Promise<CryptoKey>>()
  readonly #reported = new Set<string>()

  constructor (private readonly options: SigningKeyStoreOptions) {}

  async current (): Promise<SigningKeySet> {
    const now = this.options.now()
    if (this.#rows === undefined || now - this.#readAt >= REFRESH_MS || now < this.#readAt) await this.#reread()
    const set = this.#set
    if (set !== undefined && (set.nextChangeAt === null || now < set.nextChangeAt)) return set
    return this.#arrange(now)
  }

  async signingKey (alg: SigningAlg): Promise<{ kid: string, key: CryptoKey }> {
    const jwk = (await this.current()).keys.find(key => key.alg === alg)
    if (jwk?.kid === undefined) throw new SigningKeyError('missing', alg, `no ${alg} signing key`)
    let imported = this.#imported.get(jwk.kid)
    if (imported === undefined) {
      imported = importJWK(jwk, alg) as Promise<CryptoKey>
      this.#imported.set(jwk.kid, imported)
    }
    return { kid: jwk.kid, key: await imported }
  }

  async close (): Promise<void> {
    this.#closed = true
    await this.#reading?.catch(() => { /* its caller was told */ })
  }

  /** One read at a time; concurrent callers share it. */
  async #reread (): Promise<void> {
    if (this.#closed) throw new Error('the signing key store is closed')
    this.#reading ??= this.#read().finally(() => { this.#reading = undefined })
    await this.#reading
  }

  async #read (): Promise<void> {
    const { db, box, now } = this.options
    let rows: StoredKey[]
    try {
      rows = await readStoredKeys(db)
      // The first start on this database (or a table emptied by hand): keys for the algs without any.
      if (SIGNING_ALGS.some(alg => !rows.some(row => row.alg === alg))) {
        await ensureSigningKeys(db, box, now())
        rows = await readStoredKeys(db)
      }
    } catch (err) {
      // The database is away: the keys read before still sign, in their order at this time.
      if (this.#rows === undefined) throw err
      this.options.warn({ err }, 'signing keys not re-read; the cached ones are used')
      this.#readAt = now()
      return
    }
    this.#rows = rows
    this.#readAt = now()
    this.#set = undefined
    const kids = new Set(rows.map(row => row.kid))
    for (const kid of this.#imported.keys()) if (!kids.has(kid)) this.#imported.delete(kid)
  }

  #arrange (now: number): SigningKeySet {
    const set = arrangeSigningKeys(this.#rows ?? [], this.options.box, now, this.options.maxTokenLifetimeSeconds)
    for (const key of set.unusable) {
      if (this.#reported.has(key.kid)) continue
      this.#reported.add(key.kid)
      this.options.warn({ kid: key.kid, alg: key.alg, encryptionKeyId: key.encryptionKeyId }, 'a signing key cannot be opened: its ENCRYPTION_KEY entry is no longer configured, or its row was altered; it is left out of the JWKS')
    }
    this.#set = set
    return set
  }
}
