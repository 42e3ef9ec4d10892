// The pages of an application's sign-in through this service (OpenID Connect): an
// authorization request that needs the person lands on /ui/authorize/:uid. Without a
// session it goes to /ui/login (every method and the second factor) and comes back; a
// client asking for a fresh authentication (prompt=login, max_age) goes through
// /ui/reauthenticate; a third-party client then asks for consent here. Also the pages the
// library renders itself (its errors, the RP-initiated logout question), in our layout.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { InteractionResults, KoaContextWithOIDC } from 'oidc-provider'
import { Type } from 'typebox'
import type { Config } from '../../config.js'
import { requesterOf } from '../../http/client-address.js'
import { languageOf } from '../../http/language.js'
import { translate } from '../../i18n/catalogue.js'
import { clientNameOf, grantConsent, type Interaction, isFirstParty, nextLoginStep, requestedScopes } from '../../provider/interactions.js'
import type { ProviderHolder } from '../../provider/plugin.js'
import { INTERACTION_PATH, type ProviderPages, SCOPES } from '../../provider/provider.js'
import type { PageOptions } from '../plugin.js'
import type { AssetUrls } from '../assets.js'
import { type PageContext, renderPage } from '../render.js'
import { PageQuery } from '../schemas.js'

export interface AuthorizeOptions extends PageOptions {
  readonly provider: ProviderHolder
}

const Params = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 128 }) })
const ConsentBody = Type.Object({ _csrf: Type.String(), decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]) })

export async function authorizePages (app: FastifyInstance, { ctx, pages, provider: holder }: AuthorizeOptions): Promise<void> {
  /** The pending interaction of this browser (the library's cookie) for this uid, or null. */
  async function interactionOf (request: FastifyRequest, reply: FastifyReply, uid: string): Promise<Interaction | null> {
    const { provider } = await holder.get()
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw)
      return interaction.uid === uid ? interaction : null
    } catch (error) {
      // The library's SessionNotFound: no such interaction, or its cookie is gone.
      if (error instanceof Error && error.name === 'SessionNotFound') return null
      throw error
    }
  }

  function expired (request: FastifyRequest, reply: FastifyReply): FastifyReply {
    const context = pages.context(request, reply, { form: false })
    return pages.send(reply, 'message', context, { title: 'page.error', text: translate(context.language, 'text.authorize_expired') }, 400)
  }

  /**
   * Hands the result to the library and sends the browser on to the application. After a
   * form of ours (sign-in, consent) the way on is a page of its own that moves on by itself
   * (a Refresh header, and a link): Chromium applies the CSP `form-action` of the form's
   * page to every redirect that follows its submission, and the application's callback is
   * on another origin. Otherwise (an application's request that needs no page) the library
   * redirects at once.
   */
  async function finish (request: FastifyRequest, reply: FastifyReply, result: InteractionResults, afterForm: boolean): Promise<FastifyReply> {
    const { provider } = await holder.get()
    if (afterForm) {
      const next = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false })
      const context = pages.context(request, reply, { form: false })
      void reply.header('refresh', `0;url=${next}`)
      return pages.send(reply, 'continue', context, { title: 'page.continue', next })
    }
    reply.hijack()
    await provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: false })
    return reply
  }

  app.get('/authorize/:uid', { schema: { hide: true, params: Params, querystring: PageQuery } }, async (request, reply) => {
    const { uid } = request.params as { uid: string }
    const interaction = await interactionOf(request, reply, uid)
    if (interaction === null) return expired(request, reply)
    const here = `${INTERACTION_PATH}/${uid}`
    const context = pages.context(request, reply, { path: here })
    const { provider } = await holder.get()
    if (interaction.prompt.name === 'login') {
      const step = await nextLoginStep(ctx, interaction, await pages.session(request))
      if (step.kind === 'sign_in') return pages.redirect(reply, context, '/ui/login', { return_to: here })
      if (step.kind === 'reauthenticate') return pages.redirect(reply, context, '/ui/reauthenticate', { return_to: here })
      // From one of our pages (the sign-in form, the code form): a page of its own on the way.
      return await finish(request, reply, step.result, request.headers['sec-fetch-site'] === 'same-origin')
    }
    const clientId = String(interaction.params.client_id)
    if (interaction.prompt.name === 'consent' && await isFirstParty(provider, clientId)) {
      return await finish(request, reply, await grantConsent(ctx, provider, interaction, requesterOf(request), true), request.headers['sec-fetch-site'] === 'same-origin')
    }
    const session = await pages.session(request)
    if (session === null) return pages.redirect(reply, context, '/ui/login', { return_to: here })
    const scopes = requestedScopes(interaction).filter(scope => (SCOPES as readonly string[]).includes(scope))
    return pages.send(reply, 'authorize', context, { title: 'page.authorize', client: await clientNameOf(provider, clientId), email: session.user.email, scopes, action: pages.urlOf(context, here) })
  })

  app.post('/authorize/:uid', { schema: { hide: true, params: Params, querystring: PageQuery, body: ConsentBody } }, async (request, reply) => {
    const { uid } = request.params as { uid: string }
    const { decision } = request.body as { decision: 'allow' | 'deny' }
    const interaction = await interactionOf(request, reply, uid)
    if (interaction === null || interaction.prompt.name !== 'consent') return expired(request, reply)
    const { provider } = await holder.get()
    return await finish(request, reply, decision === 'allow'
      ? await grantConsent(ctx, provider, interaction, requesterOf(request), false)
      : { error: 'access_denied', error_description: 'the user denied the request' }, true)
  })
}

/** The pages the library renders itself, in the layout of ours (no form token: the
 *  library's logout form carries its own). */
export function providerPages (config: Config, assets: AssetUrls): ProviderPages {
  const contextOf = (ctx: KoaContextWithOIDC): PageContext => ({
    language: languageOf({ headers: { 'accept-language': ctx.get('accept-language') || undefined } }),
    languageChosen: false,
    csrfToken: null,
    ui: config.ui,
    assets,
    path: ctx.path,
    keep: {}
  })
  const html = (ctx: KoaContextWithOIDC, body: string): void => {
    ctx.type = 'text/html; charset=utf-8'
    ctx.body = body
  }
  return {
    renderError (ctx, error) {
      const context = contextOf(ctx)
      html(ctx, renderPage('message', context, { title: 'page.error', text: translate(context.language, 'text.oidc_error', { error: error.error_description ?? error.error }) }))
    },
    logoutSource (ctx, form) {
      html(ctx, renderPage('provider_logout', contextOf(ctx), { title: 'page.logout', form }))
    },
    postLogoutSuccessSource (ctx) {
      const context = contextOf(ctx)
      html(ctx, renderPage('message', context, { title: 'page.logout', text: translate(context.language, 'notice.signed_out'), link: { href: '/ui/login', label: 'link.home' } }))
    }
  }
}
