// Sign in with another identity provider, the JSON side (API.md v3): GET
// /sessions/oidc/:provider sends the browser to the provider; the account's linked
// identities are listed, linked and unlinked under /account/identities. The provider's
// callback is a page (src/ui/pages/upstream.ts): it ends in a session or says what to do.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyBaseLogger } from 'fastify'
import { type Static, Type } from 'typebox'
import type { AuthContext } from '../../auth/context.js'
import { AuthError } from '../../auth/errors.js'
import type { Config } from '../../config.js'
import { requesterOf } from '../../http/client-address.js'
import { sessionOf } from '../../http/plugins/session.js'
import { errors, MessageReply, ref } from '../../http/schemas.js'
import { createReturnToCheck } from '../../ui/return-to.js'
import type { Identity } from './identities.js'
import { flowCookie } from './flow-cookie.js'
import { UpstreamError, type UpstreamProvider } from './provider.js'
import { beginAtProvider, causeOf, identitiesOf, unlinkUpstreamIdentity } from './upstream.js'

export interface UpstreamRouteOptions {
  readonly ctx: AuthContext
  readonly config: Config
  readonly providers: ReadonlyMap<string, UpstreamProvider>
}

const ProviderParams = Type.Object({ provider: Type.String({ maxLength: 64, description: 'A name of OIDC_PROVIDERS.' }) })
const IdentityReply = Type.Object({
  id: Type.String(),
  provider: Type.String({ description: 'Its name in OIDC_PROVIDERS.' }),
  label: Type.String({ description: 'Its name as the pages show it.' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'The address the provider gave at the last sign-in.' }),
  created_at: Type.String({ format: 'date-time' }),
  last_used_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
}, { additionalProperties: false })

/** The provider named, or PROVIDER_NOT_FOUND. */
export function providerNamed (providers: ReadonlyMap<string, UpstreamProvider>, name: string): UpstreamProvider {
  const provider = providers.get(name)
  if (provider === undefined) throw new AuthError('PROVIDER_NOT_FOUND')
  return provider
}

/**
 * beginAtProvider, with a provider that does not answer told apart: 502
 * PROVIDER_UNAVAILABLE for the person, a warning naming the provider and the cause for the
 * operator (which the person's answer must not carry).
 */
export async function beginOrRefuse (ctx: AuthContext, provider: UpstreamProvider, options: { linkUserId: number | null, returnTo: string | null }, log: FastifyBaseLogger): Promise<{ url: URL, token: string }> {
  try {
    return await beginAtProvider(ctx, provider, options)
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error
    log.warn({ provider: provider.config.name, cause: causeOf(error) }, 'identity provider unavailable')
    throw new AuthError('PROVIDER_UNAVAILABLE')
  }
}

export const upstreamRoutes: FastifyPluginAsyncTypebox<UpstreamRouteOptions> = async (app, { ctx, config, providers }) => {
  const checkReturnTo = createReturnToCheck([...config.http.selfOrigins, ...config.http.trustedOrigins])
  const tags = ['identities']
  const labelOf = (name: string): string => providers.get(name)?.config.label ?? name
  const reply = (identity: Identity): Static<typeof IdentityReply> => ({
    id: identity.id,
    provider: identity.provider,
    label: labelOf(identity.provider),
    email: identity.email,
    created_at: new Date(identity.createdAt).toISOString(),
    last_used_at: identity.lastUsedAt === null ? null : new Date(identity.lastUsedAt).toISOString()
  })

  app.get('/sessions/oidc/:provider', {
    config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp } },
    schema: {
      operationId: 'signInWithProvider',
      summary: 'Sign in with another identity provider',
      description: 'Sends the browser (302) to the provider named, with state, nonce and PKCE, and a cookie that binds the sign-in to this browser (10 minutes). ' +
        'The provider returns the browser to `/ui/oidc/<provider>/callback`, which ends in the one sign-in flow (the account\'s second factor included) and then goes to `return_to` (a path here, or a URL on PUBLIC_URL\'s or a TRUSTED_ORIGINS origin) or the account page.',
      tags: ['sessions'],
      params: ProviderParams,
      querystring: Type.Object({ return_to: Type.Optional(Type.String({ maxLength: 2048 })) }),
      response: { 302: Type.Null({ description: 'To the provider.' }), ...errors('PROVIDER_NOT_FOUND', 'INVALID_FIELD', 'PROVIDER_UNAVAILABLE', 'RATE_LIMITED') }
    }
  }, async (request, res) => {
    const provider = providerNamed(providers, request.params.provider)
    const returnTo = checkReturnTo(request.query.return_to)
    if (!returnTo.ok) throw new AuthError('INVALID_FIELD', 'return_to must be a path on this service or a URL on a trusted origin')
    const { url, token } = await beginOrRefuse(ctx, provider, { linkUserId: null, returnTo: returnTo.url ?? null }, request.log)
    void res.header('set-cookie', flowCookie(config, token)).header('cache-control', 'no-store')
    return await res.redirect(url.toString(), 302)
  })

  app.get('/account/identities', {
    config: { requireSession: true },
    schema: { operationId: 'listIdentities', summary: 'The account\'s linked identities at other providers', tags, response: { 200: Type.Object({ identities: Type.Array(IdentityReply) }, { additionalProperties: false, description: 'Oldest first.' }) } }
  }, async (request) => ({ identities: (await identitiesOf(ctx, sessionOf(request).user.id)).map(reply) }))

  // One path shape with DELETE below (/account/identities/<x>): the router and the OpenAPI
  // document allow one parameter name there, so both call it `id`; here it is the provider's name.
  app.post('/account/identities/:id', {
    config: { requireSession: true, privileged: true, refuseCrossSite: true, rateLimit: { bucket: 'account', max: config.limits.accountPerIp } },
    schema: {
      operationId: 'linkIdentity',
      summary: 'Link an identity at another provider',
      description: 'A privileged action (a session authenticated within REAUTH_MAX_AGE), on a verified address. Answers the provider\'s URL to send the browser to, and sets the cookie binding the link to this browser; ' +
        'the provider\'s callback links the identity (a notice mail goes to the account) and returns to the account page. 409 `identity_taken` there when another account has it.',
      tags,
      params: Type.Object({ id: Type.String({ maxLength: 64, description: 'The provider to link: its name in OIDC_PROVIDERS (`google`).' }) }),
      response: { 200: Type.Object({ authorization_url: Type.String({ format: 'uri' }) }, { additionalProperties: false, description: 'Send the browser there.' }), ...errors('PROVIDER_NOT_FOUND', 'EMAIL_NOT_VERIFIED', 'PROVIDER_UNAVAILABLE', 'RATE_LIMITED') }
    }
  }, async (request, res) => {
    const provider = providerNamed(providers, request.params.id)
    const { url, token } = await beginOrRefuse(ctx, provider, { linkUserId: sessionOf(request).user.id, returnTo: null }, request.log)
    void res.header('set-cookie', flowCookie(config, token))
    return { authorization_url: url.toString() }
  })

  app.delete('/account/identities/:id', {
    config: { requireSession: true, privileged: true },
    schema: {
      operationId: 'unlinkIdentity',
      summary: 'Unlink an identity',
      description: 'A privileged action. Never the account\'s last way in: 409 `last_sign_in_method` when it has no password, passkey or other identity. A notice mail goes to the account.',
      tags,
      params: Type.Object({ id: Type.String({ maxLength: 64, description: 'The identity\'s id (GET /account/identities).' }) }),
      response: { 200: ref(MessageReply, 'Unlinked.'), ...errors('NOT_FOUND', 'LAST_SIGN_IN_METHOD') }
    }
  }, async (request) => {
    await unlinkUpstreamIdentity(ctx, sessionOf(request).user.id, request.params.id, requesterOf(request), labelOf)
    return { message: 'identity unlinked' }
  })
}
