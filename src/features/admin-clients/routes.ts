// The admin API's client applications: GET and POST /admin/clients, GET and DELETE
// /admin/clients/:id, the same operations as `authsvc clients …`. Guarded like GET
// /metrics, with settings of its own: a client address in ADMIN_ALLOW (loopback by
// default) or `Authorization: Bearer $ADMIN_TOKEN`; anybody else gets the 404 of a path
// that does not exist, before the body is even read. Without TRUST_PROXY, a request that
// came through a proxy (X-Forwarded-For …) needs the token: its address is the proxy's.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { createAccessCheck } from '../../http/access-check.js'
import { requesterOf } from '../../http/client-address.js'
import { errors } from '../../http/schemas.js'
import { MAX_NAME_LENGTH } from '../../provider/clients.js'
import { MAX_URIS } from '../../provider/redirect-uris.js'
import type { FeatureOptions } from '../options.js'
import { listRegisteredClients, registerClient, showRegisteredClient, unregisterClient } from './admin-clients.js'
import { ClientDetails, clientDetails } from './client-details.js'

const GUARD = 'Admin API: answers a client address in `ADMIN_ALLOW` (loopback by default) or the bearer of `ADMIN_TOKEN` ' +
  '(`Authorization: Bearer …`); anybody else gets 404, as for a path that does not exist.'
const tags = ['admin']

const NewClient = Type.Object({
  name: Type.String({ description: `Shown on the consent page: 1 to ${MAX_NAME_LENGTH} characters.` }),
  redirect_uris: Type.Array(Type.String(), {
    description: `1 to ${MAX_URIS} absolute URIs without a fragment: https; http only on 127.0.0.1, [::1] or localhost and not in production; ` +
      'a custom scheme (a reversed domain name: com.example.app:/cb) only for a public client.'
  }),
  post_logout_redirect_uris: Type.Optional(Type.Array(Type.String(), { description: `Where RP-initiated logout may return to (up to ${MAX_URIS}); the same rules.` })),
  backchannel_logout_uri: Type.Optional(Type.String({ description: 'Where back-channel logout tokens are posted: https, or http on a loopback host outside production.' })),
  public: Type.Optional(Type.Boolean({ description: 'A public client: no secret, token_endpoint_auth_method `none`, PKCE required. Default false.' })),
  first_party: Type.Optional(Type.Boolean({ description: 'Its users are not asked for consent. Default false.' }))
}, { additionalProperties: false })

const CreatedClient = Type.Object({
  ...ClientDetails.properties,
  client_secret: Type.Optional(Type.String({ description: 'A confidential client\'s secret: shown in this reply only, stored as its SHA-256.' }))
}, { additionalProperties: false, description: 'The client, registered; a confidential one\'s secret is in this reply and nowhere else.' })

const ClientList = Type.Object({ clients: Type.Array(ClientDetails) }, { additionalProperties: false, description: 'Every client, oldest first; never a secret.' })
const ClientParams = Type.Object({ id: Type.String({ description: 'A client_id.' }) })

export const adminClientRoutes: FastifyPluginAsyncTypebox<FeatureOptions> = async (app, { ctx, config }) => {
  // This plugin's routes only (encapsulated): before the body is parsed, the cross-site
  // check or anything else runs.
  const mayAdminister = createAccessCheck(config.admin, { distrustForwarded: config.http.trustProxy === false })
  app.addHook('onRequest', async (request, reply) => {
    if (!mayAdminister(request)) return reply.callNotFound()
  })

  app.get('/admin/clients', {
    schema: {
      operationId: 'listClients',
      summary: 'The OpenID client applications',
      description: GUARD,
      tags,
      response: { 200: ClientList, ...errors('ROUTE_NOT_FOUND', 'DATABASE_UNAVAILABLE') }
    }
  }, async () => ({ clients: (await listRegisteredClients(ctx)).map(clientDetails) }))

  app.post('/admin/clients', {
    config: { refuseCrossSite: true },
    schema: {
      operationId: 'createClient',
      summary: 'Register an OpenID client application',
      description: `${GUARD} A confidential client gets a secret, in this reply only.`,
      tags,
      body: NewClient,
      response: { 201: CreatedClient, ...errors('INVALID_FIELD', 'ROUTE_NOT_FOUND') }
    }
  }, async (request, reply) => {
    const { body } = request
    const client = await registerClient(ctx, config, {
      name: body.name,
      redirectUris: body.redirect_uris,
      postLogoutRedirectUris: body.post_logout_redirect_uris ?? [],
      backchannelLogoutUri: body.backchannel_logout_uri ?? null,
      public: body.public === true,
      firstParty: body.first_party === true
    }, requesterOf(request))
    return await reply.code(201).send({ ...clientDetails(client), ...(client.clientSecret === undefined ? {} : { client_secret: client.clientSecret }) })
  })

  app.get('/admin/clients/:id', {
    schema: {
      operationId: 'getClient',
      summary: 'One OpenID client application',
      description: GUARD,
      tags,
      params: ClientParams,
      response: { 200: ClientDetails, ...errors('NOT_FOUND', 'ROUTE_NOT_FOUND') }
    }
  }, async (request) => clientDetails(await showRegisteredClient(ctx, request.params.id)))

  app.delete('/admin/clients/:id', {
    config: { refuseCrossSite: true },
    schema: {
      operationId: 'deleteClient',
      summary: 'Remove an OpenID client application',
      description: `${GUARD} Its codes and tokens stop working at once.`,
      tags,
      params: ClientParams,
      response: { 204: Type.Null({ description: 'Removed.' }), ...errors('NOT_FOUND', 'ROUTE_NOT_FOUND') }
    }
  }, async (request, reply) => {
    await unregisterClient(ctx, request.params.id, requesterOf(request))
    return await reply.code(204).send(null)
  })
}
