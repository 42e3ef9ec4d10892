// The client applications that sign their users in through this service, registered with
// `authsvc clients create` or the admin API. This module owns oidc_clients. A confidential
// client's secret is stored as its SHA-256 only: the provider compares the SHA-256 of the
// secret a client presents (src/provider/provider.ts, compareClientSecret).
import { createHash } from 'node:crypto'
import type { AdapterPayload } from 'oidc-provider'
import type { Db } from '../db/index.js'

/** What the provider stores in place of a client's secret, and compares with. */
export function hashClientSecret (secret: string): string {
  return createHash('sha256').update(secret).digest('base64url')
}

/** The client's metadata as oidc-provider reads it (its adapter's find('Client', id)), or undefined. */
export async function findClientMetadata (db: Db, clientId: string): Promise<AdapterPayload | undefined> {
  const row = await db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst()
  if (row === undefined) return undefined
  const metadata = JSON.parse(row.metadata) as AdapterPayload
  return {
    ...metadata,
    client_id: row.client_id,
    client_name: row.name,
    first_party: row.first_party === 1,
    ...(row.secret_hash === null ? {} : { client_secret: row.secret_hash })
  }
}
