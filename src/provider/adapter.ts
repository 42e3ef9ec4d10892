// oidc-provider's storage adapter on our database (its interface: the library's
// example/my_adapter.js). Every model is a row of oidc_records, keyed '<model>:<id>', its
// payload JSON; the library's lookups by grant, uid and user code are indexed columns.
// Client applications come from oidc_clients (src/provider/clients.ts). Expired rows are
// not returned, and the jobs' sweep removes them.
import type { Adapter, AdapterPayload } from 'oidc-provider'
import type { Db } from '../db/index.js'
import { upsertRow } from '../db/upsert.js'
import { deleteExpiredInBatches } from '../db/sweep.js'
import { findClientMetadata, hashClientSecret } from './clients.js'

/** The models whose records belong to a grant (revokeByGrantId removes them together). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'])

export type AdapterConstructor = new (model: string) => Adapter

/** The adapter class the Provider is given: one instance per model, on `db`, with `now` as its clock. */
export function createAdapter (db: Db, now: () => number): AdapterConstructor {
  return class DatabaseAdapter implements Adapter {
    constructor (private readonly model: string) {}

    private key (id: string): string {
      return `${this.model}:${id}`
    }

    async upsert (id: string, payload: AdapterPayload, expiresIn: number | undefined): Promise<void> {
      // A client registered at the registration endpoint (OIDC_DYNAMIC_REGISTRATION): its
      // secret is kept as its SHA-256, as the operator's clients' (the library answered the
      // secret itself to the client; it never writes a client twice: registration
      // management is off).
      const stored = this.model === 'Client' && typeof payload.client_secret === 'string' ? { ...payload, client_secret: hashClientSecret(payload.client_secret) } : payload
      await upsertRow(db, 'oidc_records', 'id', {
        id: this.key(id),
        model: this.model,
        payload: JSON.stringify(stored),
        grant_id: GRANTABLE.has(this.model) ? payload.grantId ?? null : null,
        uid: payload.uid ?? null,
        user_code: payload.userCode ?? null,
        expires_at: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : null,
        consumed_at: null
      })
    }

    async find (id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const client = await findClientMetadata(db, id)
        if (client !== undefined) return client
      }
      return await this.findWhere('id', this.key(id))
    }

    async findByUid (uid: string): Promise<AdapterPayload | undefined> {
      return await this.findWhere('uid', uid)
    }

    async findByUserCode (userCode: string): Promise<AdapterPayload | undefined> {
      return await this.findWhere('user_code', userCode)
    }

    private async findWhere (column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
      // What a request made up (a NUL, which PostgreSQL refuses in text; an overlong id) is no record.
      if (value.length > 320 || value.includes('\u0000')) return undefined
      let query = db.selectFrom('oidc_records').select(['payload', 'expires_at', 'consumed_at']).where(column, '=', value)
      if (column !== 'id') query = query.where('model', '=', this.model)
      const row = await query.executeTakeFirst()
      if (row === undefined || (row.expires_at !== null && row.expires_at <= now())) return undefined
      const payload = JSON.parse(row.payload) as AdapterPayload
      return row.consumed_at === null ? payload : { ...payload, consumed: Math.floor(row.consumed_at / 1000) }
    }

    async consume (id: string): Promise<void> {
      await db.updateTable('oidc_records').set({ consumed_at: now() }).where('id', '=', this.key(id)).execute()
    }

    async destroy (id: string): Promise<void> {
      await db.deleteFrom('oidc_records').where('id', '=', this.key(id)).execute()
    }

    async revokeByGrantId (grantId: string): Promise<void> {
      await db.deleteFrom('oidc_records').where('grant_id', '=', grantId).execute()
    }
  }
}

export async function deleteExpiredOidcRecords (db: Db, now: number): Promise<number> {
  return await deleteExpiredInBatches(db, 'oidc_records', now)
}
