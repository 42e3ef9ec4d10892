// The callback of a sign-in with another identity provider (/ui/oidc/<name>/callback): a
// GET from the provider's redirect, or a POST of its form (`form_post`, Apple). The flow
// the browser's cookie names is taken (single use); the provider's answer is checked by
// the provider's module; then the one sign-in flow decides, as for a password: a session
// and the way on, the second factor's page, or a page that says what to do. A link from
// the account page ends back there.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AuthError } from '../../auth/errors.js'
import { ERRORS } from '../../error-codes.js'
import { completeSignIn } from '../../flows/login/login.js'
import { requesterOf } from '../../http/client-address.js'
import { setSessionCookie } from '../../http/plugins/session.js'
import { translate } from '../../i18n/catalogue.js'
import { clearedFlowCookie, callbackUrl } from '../../methods/upstream/flow-cookie.js'
import { UpstreamError, type UpstreamProvider } from '../../methods/upstream/provider.js'
import { causeOf, linkUpstreamIdentity, proveUpstreamIdentity, takeFlowOf } from '../../methods/upstream/upstream.js'
import type { PageOptions } from '../plugin.js'

const Params = Type.Object({ provider: Type.String({ maxLength: 64 }) })
/** What a provider posts (form_post): read by the provider's module, not here. */
const Posted = Type.Record(Type.String(), Type.String({ maxLength: 16_384 }))

const REFUSALS = { denied: 'PROVIDER_DENIED', unavailable: 'PROVIDER_UNAVAILABLE', invalid_callback: 'INVALID_CALLBACK' } as const

export const upstreamPages: FastifyPluginAsyncTypebox<PageOptions & { providers: ReadonlyMap<string, UpstreamProvider> }> = async (app, { ctx, config, pages, providers }) => {
  async function callback (request: FastifyRequest<{ Params: { provider: string } }>, reply: FastifyReply, form: URLSearchParams | null): Promise<FastifyReply> {
    const name = request.params.provider
    const provider = providers.get(name)
    const context = pages.context(request, reply, { path: '/ui/login' })
    void reply.header('set-cookie', clearedFlowCookie(config)).header('cache-control', 'no-store')
    const flow = await takeFlowOf(ctx, request.headers.cookie)
    try {
      if (provider === undefined) throw new AuthError('PROVIDER_NOT_FOUND')
      if (flow === null || flow.provider !== name) throw new AuthError('INVALID_CALLBACK')
      const identity = await provider.redeem({ url: new URL(request.url, config.publicUrl), form }, flow, callbackUrl(config, name)).catch((error: unknown) => {
        if (!(error instanceof UpstreamError)) throw error
        // The cause (the library's words: a state, an issuer, a signature) for the operator;
        // no token is in it. A provider that does not answer is the operator's to fix: a warning.
        const entry = { provider: name, reason: error.reason, cause: causeOf(error) }
        if (error.reason === 'unavailable') request.log.warn(entry, 'identity provider unavailable')
        else request.log.info(entry, 'sign-in with another provider refused')
        throw new AuthError(REFUSALS[error.reason])
      })
      const from = requesterOf(request)
      if (flow.linkUserId !== null) {
        const session = await pages.session(request)
        if (session === null || session.user.id !== flow.linkUserId) throw new AuthError('INVALID_CALLBACK')
        await linkUpstreamIdentity(ctx, flow.linkUserId, provider.config, identity, from)
        return await reply.redirect(pages.urlOf(context, '/ui/account/security', { notice: 'identity_linked' }), 303)
      }
      const outcome = await completeSignIn(ctx, await proveUpstreamIdentity(ctx, provider.config, identity, from, context.language), from, { returnTo: flow.returnTo })
      if (outcome.kind === 'second_factor') {
        // oxlint-disable-next-line typescript/return-await -- a FastifyReply is thenable, not a promise to wait for
        return pages.send(reply, 'mfa', context, { title: 'page.mfa', mfaToken: outcome.mfaToken, returnTo: flow.returnTo ?? undefined })
      }
      setSessionCookie(reply, config, outcome.token)
      return await reply.redirect(flow.returnTo ?? pages.urlOf(context, '/ui/account'), 303)
    } catch (error) {
      if (!(error instanceof AuthError) || !(error.code in ERRORS)) throw error
      const text = translate(context.language, `error.${error.code}`, { provider: provider?.config.label ?? name, seconds: error.retryAfterSeconds ?? 1 })
      const back = flow?.linkUserId != null ? { href: pages.urlOf(context, '/ui/account/security'), label: 'link.to_account' as const } : { href: pages.urlOf(context, '/ui/login'), label: 'link.home' as const }
      return pages.send(reply, 'message', context, { title: 'page.error', text, link: back }, ERRORS[error.code].status)
    }
  }

  const options = { config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp } }, schema: { hide: true, params: Params } }
  app.get('/oidc/:provider/callback', options, async (request, reply) => await callback(request, reply, null))
  // form_post: the provider's page posts here from its own origin, with no form token of
  // ours; the flow's cookie, state and nonce are what bind it to this browser.
  app.post('/oidc/:provider/callback', { ...options, config: { ...options.config, formToken: false }, schema: { ...options.schema, body: Posted } }, async (request, reply) =>
    await callback(request, reply, new URLSearchParams(request.body)))
}
