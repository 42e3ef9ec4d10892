// What an operator does to the client applications of the OpenID Connect provider
// (`authsvc clients …` and the admin API's /admin/clients): the rules and the table are
// src/provider/clients.ts's; here each change gets its security event in the same
// transaction, and a client that does not exist is NOT_FOUND.
import type { AuthContext } from '../../auth/context.js'
import { AuthError } from '../../auth/errors.js'
import type { Actor } from '../../auth/events.js'
import type { Config } from '../../config.js'
import { type ClientInput, type ClientRecord, type CreatedClient, createClient, deleteClient, listClients, showClient } from '../../provider/clients.js'

const notFound = (clientId: string): AuthError => new AuthError('NOT_FOUND', `no client with client_id ${JSON.stringify(clientId.slice(0, 100))}`)

/** Registers a client (oidc.client_created); its secret, if any, is in the answer only. */
export async function registerClient (ctx: AuthContext, config: Pick<Config, 'env'>, input: ClientInput, actor: Actor): Promise<CreatedClient> {
  const now = ctx.now()
  return await ctx.db.transaction().execute(async trx => {
    const client = await createClient(trx, input, { config, now })
    await ctx.events.publish(trx, {
      type: 'oidc.client_created',
      userId: null,
      at: now,
      actor,
      details: { client_id: client.clientId, name: client.name, public: client.public, first_party: client.firstParty }
    })
    return client
  })
}

export async function listRegisteredClients (ctx: AuthContext): Promise<ClientRecord[]> {
  return await listClients(ctx.db)
}

/** The client; NOT_FOUND when there is none with that client_id. */
export async function showRegisteredClient (ctx: AuthContext, clientId: string): Promise<ClientRecord> {
  const client = await showClient(ctx.db, clientId)
  if (client === undefined) throw notFound(clientId)
  return client
}

/** Removes the client (oidc.client_deleted); NOT_FOUND when there is none. */
export async function unregisterClient (ctx: AuthContext, clientId: string, actor: Actor): Promise<ClientRecord> {
  const now = ctx.now()
  return await ctx.db.transaction().execute(async trx => {
    const client = await showClient(trx, clientId)
    if (client === undefined || !await deleteClient(trx, clientId)) throw notFound(clientId)
    await ctx.events.publish(trx, { type: 'oidc.client_deleted', userId: null, at: now, actor, details: { client_id: client.clientId, name: client.name } })
    return client
  })
}
