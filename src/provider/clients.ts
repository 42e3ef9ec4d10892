// The client applications that sign their users in through this service, registered with
// `authsvc clients create` or the admin API. This module owns oidc_clients. A confidential
// client's secret is stored as its SHA-256 only: the provider compares the SHA-256 of the
// secret a client presents (src/provider/provider.ts, compareClientSecret). The metadata
// column holds what oidc-provider reads, in its snake_case names; the secret is never in it.
import { createHash, randomBytes } from 'node:crypto'
import type { AdapterPayload } from 'oidc-provider'
import { invalidField } from '../auth/errors.js'
import type { Config } from '../config.js'
import type { Db } from '../db/index.js'
import type { OidcClientTable } from '../db/schema.js'
import { checkNativeUris, checkUri, checkUris, type UriPolicy } from './redirect-uris.js'

export const MAX_NAME_LENGTH = 100

/** client_secret_basic for a confidential client (the provider takes client_secret_post
 *  too); none for a public one, which must use PKCE. */
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'none'
export type ApplicationType = 'web' | 'native'

/** What an operator gives to register a client. */
export interface ClientInput {
  /** Shown on the consent page: 1 to 100 characters. */
  readonly name: string
  readonly redirectUris: readonly string[]
  readonly postLogoutRedirectUris?: readonly string[]
  readonly backchannelLogoutUri?: string | null
  /** A public client (a native or browser app that cannot keep a secret). */
  readonly public?: boolean
  /** Trusted: its users are not asked for consent. */
  readonly firstParty?: boolean
}

/** A registered client, as the operator sees it: never its secret nor the secret's hash. */
export interface ClientRecord {
  readonly clientId: string
  readonly name: string
  readonly public: boolean
  readonly firstParty: boolean
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod
  readonly applicationType: ApplicationType
  readonly redirectUris: readonly string[]
  readonly postLogoutRedirectUris: readonly string[]
  readonly backchannelLogoutUri: string | null
  /** Milliseconds since the epoch. */
  readonly createdAt: number
}

/** A client just registered: a confidential one's secret is here, and never again. */
export interface CreatedClient extends ClientRecord {
  readonly clientSecret?: string
}

/** The metadata column: oidc-provider's client metadata, as it reads it. */
interface StoredMetadata {
  redirect_uris: string[]
  post_logout_redirect_uris: string[]
  backchannel_logout_uri?: string
  backchannel_logout_session_required?: boolean
  grant_types: string[]
  response_types: string[]
  token_endpoint_auth_method: TokenEndpointAuthMethod
  application_type: ApplicationType
}

/** What the provider stores in place of a client's secret, and compares with. */
export function hashClientSecret (secret: string): string {
  return createHash('sha256').update(secret).digest('base64url')
}

// What a client_id can be (the column is varchar(64)): anything else is no client, and is
// never sent to the database (PostgreSQL refuses a NUL in text with an error, not a miss).
const PLAUSIBLE_CLIENT_ID = /^[\x21-\x7e]{1,64}$/

/** The client's metadata as oidc-provider reads it (its adapter's find('Client', id)), or undefined. */
export async function findClientMetadata (db: Db, clientId: string): Promise<AdapterPayload | undefined> {
  if (!PLAUSIBLE_CLIENT_ID.test(clientId)) return undefined
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

function checkName (name: string): void {
  if (name.trim() === '') throw invalidField('name is required: 1 to 100 characters, shown on the consent page', { field: 'name', rule: 'required' })
  if (name.length > MAX_NAME_LENGTH) throw invalidField(`name must be at most ${MAX_NAME_LENGTH} characters`, { field: 'name', rule: 'max_length', values: { max: MAX_NAME_LENGTH } })
  if (/\p{Cc}/u.test(name)) throw invalidField('name must not contain control characters (line breaks, tabs …)', { field: 'name', rule: 'control_characters' })
}

/** The metadata of `input`, checked; throws INVALID_FIELD naming the field at fault. */
function metadataOf (input: ClientInput, production: boolean): StoredMetadata {
  checkName(input.name)
  const isPublic = input.public === true
  const redirect: UriPolicy = { production, customScheme: isPublic ? 'allowed' : 'confidential' }
  const kinds = checkUris('redirect_uris', input.redirectUris, redirect, 1)
  const postLogout = input.postLogoutRedirectUris ?? []
  checkUris('post_logout_redirect_uris', postLogout, redirect, 0)
  const backchannel = input.backchannelLogoutUri ?? null
  if (backchannel !== null) checkUri('backchannel_logout_uri', backchannel, { production, customScheme: 'never' })
  // A public client with a custom-scheme redirect URI is an app on a device (RFC 8252).
  const applicationType: ApplicationType = isPublic && kinds.includes('custom') ? 'native' : 'web'
  if (applicationType === 'native') {
    checkNativeUris('redirect_uris', input.redirectUris)
    checkNativeUris('post_logout_redirect_uris', postLogout)
  }
  return {
    redirect_uris: [...input.redirectUris],
    post_logout_redirect_uris: [...postLogout],
    // sid in ID tokens and logout tokens (notes/oidc-provider-defaults.md).
    ...(backchannel === null ? {} : { backchannel_logout_uri: backchannel, backchannel_logout_session_required: true }),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: isPublic ? 'none' : 'client_secret_basic',
    application_type: applicationType
  }
}

function recordOf (row: OidcClientTable): ClientRecord {
  const metadata = JSON.parse(row.metadata) as StoredMetadata
  return {
    clientId: row.client_id,
    name: row.name,
    public: metadata.token_endpoint_auth_method === 'none',
    firstParty: row.first_party === 1,
    tokenEndpointAuthMethod: metadata.token_endpoint_auth_method,
    applicationType: metadata.application_type,
    redirectUris: metadata.redirect_uris,
    postLogoutRedirectUris: metadata.post_logout_redirect_uris,
    backchannelLogoutUri: metadata.backchannel_logout_uri ?? null,
    createdAt: row.created_at
  }
}

export interface CreateClientOptions {
  /** NODE_ENV decides whether loopback http URIs are allowed. */
  readonly config: Pick<Config, 'env'>
  readonly now: number
}

/**
 * Registers a client: a random client_id ('c_' + 16 bytes, base64url) and, for a
 * confidential client, a secret of 32 random bytes, stored as its SHA-256 only and
 * returned this once. Throws INVALID_FIELD (naming the field) for a name or URI the rules
 * refuse.
 */
export async function createClient (db: Db, input: ClientInput, { config, now }: CreateClientOptions): Promise<CreatedClient> {
  const metadata = metadataOf(input, config.env === 'production')
  const clientId = `c_${randomBytes(16).toString('base64url')}`
  const secret = input.public === true ? undefined : randomBytes(32).toString('base64url')
  const row: OidcClientTable = {
    client_id: clientId,
    name: input.name,
    metadata: JSON.stringify(metadata),
    secret_hash: secret === undefined ? null : hashClientSecret(secret),
    first_party: input.firstParty === true ? 1 : 0,
    created_at: now
  }
  await db.insertInto('oidc_clients').values(row).execute()
  return { ...recordOf(row), ...(secret === undefined ? {} : { clientSecret: secret }) }
}

/** Every client, oldest first. */
export async function listClients (db: Db): Promise<ClientRecord[]> {
  const rows = await db.selectFrom('oidc_clients').selectAll().orderBy('created_at').orderBy('client_id').execute()
  return rows.map(recordOf)
}

/** One client, or undefined when there is no such client_id. */
export async function showClient (db: Db, clientId: string): Promise<ClientRecord | undefined> {
  if (!PLAUSIBLE_CLIENT_ID.test(clientId)) return undefined
  const row = await db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst()
  return row === undefined ? undefined : recordOf(row)
}

/**
 * Removes the client; true when it existed. The provider then knows it no more: its
 * codes and tokens stop working (oidc-provider finds no client for them), and its users'
 * grants are left to expire with their records.
 */
export async function deleteClient (db: Db, clientId: string): Promise<boolean> {
  if (!PLAUSIBLE_CLIENT_ID.test(clientId)) return false
  const result = await db.deleteFrom('oidc_clients').where('client_id', '=', clientId).executeTakeFirst()
  return result.numDeletedRows > 0n
}
