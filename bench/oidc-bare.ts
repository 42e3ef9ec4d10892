// The OpenID Connect baseline: the same library (oidc-provider), alone on bare node:http
// with its in-memory adapter, one client and one account, its login and consent answered
// at once by a handler of the interaction URL. What the service adds to its figures (our
// storage adapter on the database, the Fastify mount, our session check, audit events) is
// the difference. Same lifetimes, refresh rotation, PKCE and key types as the service.
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type JWK } from 'oidc-provider'

import { BARE_OIDC_CLIENT as BARE_CLIENT } from './support.js'

const keys: JWK[] = []
for (const alg of ['RS256', 'ES256'] as const) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk: JWK = { ...await exportJWK(privateKey), kid: alg, alg, use: 'sig' }
  keys.push(jwk)
}
const port = Number(process.env.PORT ?? 0)
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{ client_id: BARE_CLIENT.clientId, client_secret: BARE_CLIENT.secret, redirect_uris: [BARE_CLIENT.redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }],
  jwks: { keys },
  findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, email: 'bench@example.com', email_verified: true }) }),
  claims: { openid: ['sub', 'amr', 'auth_time'], email: ['email', 'email_verified'] },
  conformIdTokenClaims: false,
  clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256', require_auth_time: true },
  responseTypes: ['code'],
  rotateRefreshToken: true,
  ttl: { AuthorizationCode: 60, AccessToken: 3600, IdToken: 3600, Interaction: 600, RefreshToken: 14 * 24 * 3600, Grant: 14 * 24 * 3600, Session: 30 * 24 * 3600 },
  features: { devInteractions: { enabled: false }, revocation: { enabled: true }, introspection: { enabled: true } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` }
})
const callback = provider.callback()

const server = createServer((request, response) => {
  if (request.url?.startsWith('/interaction/') !== true) { void callback(request, response); return }
  void (async () => {
    const interaction = await provider.interactionDetails(request, response)
    if (interaction.prompt.name === 'login') {
      await provider.interactionFinished(request, response, { login: { accountId: 'bench', amr: ['pwd'] } }, { mergeWithLastSubmission: false })
      return
    }
    const grant = interaction.grantId === undefined ? new provider.Grant({ accountId: 'bench', clientId: BARE_CLIENT.clientId }) : await provider.Grant.find(interaction.grantId)
    if (grant === undefined) throw new Error('no grant')
    const details = interaction.prompt.details as { missingOIDCScope?: string[], missingOIDCClaims?: string[] }
    if (details.missingOIDCScope !== undefined) grant.addOIDCScope(details.missingOIDCScope.join(' '))
    if (details.missingOIDCClaims !== undefined) grant.addOIDCClaims(details.missingOIDCClaims)
    const grantId = await grant.save()
    await provider.interactionFinished(request, response, { consent: interaction.grantId === undefined ? { grantId } : {} }, { mergeWithLastSubmission: true })
  })().catch((error: unknown) => { response.statusCode = 500; response.end(String(error)) })
})
server.listen(port, '127.0.0.1')
process.on('SIGTERM', () => { server.close(() => process.exit(0)) })
