// A registered client as the operator sees it, in OpenID's snake_case names: one TypeBox
// object that is the admin API's reply schema (and so the OpenAPI document's) and the
// shape of the CLI's --json. Never the secret nor its hash.
import { type Static, Type } from 'typebox'
import type { ClientRecord } from '../../provider/clients.js'

export const ClientDetails = Type.Object({
  client_id: Type.String({ description: 'Random, public: `c_` and 22 base64url characters.' }),
  client_name: Type.String({ description: 'Shown on the consent page.' }),
  public: Type.Boolean({ description: 'A public client (no secret; PKCE required).' }),
  first_party: Type.Boolean({ description: 'Its users are not asked for consent.' }),
  token_endpoint_auth_method: Type.Union([Type.Literal('client_secret_basic'), Type.Literal('none')], {
    description: '`client_secret_basic` for a confidential client (the token endpoint takes `client_secret_post` too), `none` for a public one.'
  }),
  application_type: Type.Union([Type.Literal('web'), Type.Literal('native')], { description: '`native` for a public client with a custom-scheme redirect URI.' }),
  redirect_uris: Type.Array(Type.String()),
  post_logout_redirect_uris: Type.Array(Type.String()),
  backchannel_logout_uri: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String({ description: 'ISO 8601, UTC.' })
}, { additionalProperties: false })

export type ClientDetails = Static<typeof ClientDetails>

export function clientDetails (client: ClientRecord): ClientDetails {
  return {
    client_id: client.clientId,
    client_name: client.name,
    public: client.public,
    first_party: client.firstParty,
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    application_type: client.applicationType,
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    backchannel_logout_uri: client.backchannelLogoutUri,
    created_at: new Date(client.createdAt).toISOString()
  }
}
