// /ui/login, /ui/register, /ui/logout: the same domain functions as POST /sessions,
// POST /users and DELETE /sessions, under the same per-IP limits and login throttle.
// Signing up signs in (flows/registration.ts: through the one login flow), unless the
// address must be verified first; then the page says to check the mail.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { requesterOf } from '../../http/client-address.js'
import { clearSessionCookie, setSessionCookie } from '../../http/plugins/session.js'
import { translate } from '../../i18n/catalogue.js'
import { endSession } from '../../features/sessions/sessions.js'
import { completeSignIn, continueSignIn } from '../../flows/login/login.js'
import { type SignUp, signUp } from '../../flows/registration.js'
import { passkeysAvailable } from '../../methods/passkey/passkeys.js'
import { provePassword } from '../../methods/password/password.js'
import { formFailure, missingFields, sendFailure } from '../forms.js'
import { type AccountNotice, LOGIN_NOTICES, type LoginNotice, noticeOf } from '../notices.js'
import type { PageOptions } from '../plugin.js'
import { type PageContext, urlWith } from '../render.js'
import { FormToken, PageQuery, ReturnQuery } from '../schemas.js'

const LoginQuery = Type.Object({ ...ReturnQuery.properties, notice: Type.Optional(Type.String({ maxLength: 64 })), email: Type.Optional(Type.String({ maxLength: 254 })) })
const SecondFactorForm = Type.Object({ ...FormToken.properties, mfa_token: Type.String({ maxLength: 256 }), code: Type.String({ maxLength: 64 }) })
const Credentials = Type.Object({ ...FormToken.properties, email: Type.String({ maxLength: 1024 }), password: Type.String({ maxLength: 4096 }) })

export const signInPages: FastifyPluginAsyncTypebox<PageOptions> = async (app, { ctx, config, pages, upstream }) => {
  // "Continue with …": a link per identity provider (OIDC_PROVIDERS), keeping return_to.
  const providers = (context: PageContext, returnTo: string | undefined): Array<{ label: string, href: string }> =>
    [...upstream.values()].map(provider => ({ label: provider.config.label, href: urlWith(context, `/sessions/oidc/${provider.config.name}`, { return_to: returnTo }) }))
  const hide = { hide: true }
  // The passkey button and its script, where browsers can use passkeys at all.
  const withPasskeys = passkeysAvailable(config.publicUrl)
  /** A return_to this service may not send a browser to: a page that says so, and no form. */
  const refuseReturnTo = (reply: FastifyReply, context: PageContext): FastifyReply =>
    pages.send(reply, 'message', context, { title: 'page.error', text: translate(context.language, 'error.return_to'), link: { href: pages.urlOf(context, '/ui/login'), label: 'link.home' } }, 400)

  app.get('/', { schema: { ...hide, querystring: PageQuery } }, async (request, reply) => {
    const context = pages.context(request, reply, { form: false })
    return pages.redirect(reply, context, await pages.session(request) === null ? '/ui/login' : '/ui/account')
  })

  app.get('/login', { schema: { ...hide, querystring: LoginQuery } }, async (request, reply) => {
    const { return_to: rawReturnTo, notice, email } = request.query
    const returnTo = pages.checkReturnTo(rawReturnTo)
    const context = pages.context(request, reply, { keep: { return_to: returnTo.ok ? rawReturnTo : undefined } })
    if (!returnTo.ok) return refuseReturnTo(reply, context)
    // Signed in already: straight on.
    if (await pages.session(request) !== null) return reply.redirect(returnTo.url ?? pages.urlOf(context, '/ui/account'), 303)
    return pages.send(reply, 'login', context, {
      title: 'page.login',
      // The address only prefills its input (escaped): it is never part of a message.
      notice: noticeOf(context.language, notice, LOGIN_NOTICES),
      values: { email: email ?? '' },
      returnTo: rawReturnTo,
      // Where the passkey script goes after its sign-in: a checked return_to, or the account.
      next: returnTo.url ?? pages.urlOf(context, '/ui/account'),
      scripts: withPasskeys,
      providers: providers(context, returnTo.url)
    })
  })

  app.post('/login', {
    config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true },
    schema: { ...hide, querystring: ReturnQuery, body: Credentials }
  }, async (request, reply) => {
    const { return_to: rawReturnTo } = request.query
    const { email, password } = request.body
    const returnTo = pages.checkReturnTo(rawReturnTo)
    const context = pages.context(request, reply, { path: '/ui/login', keep: { return_to: returnTo.ok ? rawReturnTo : undefined } })
    if (!returnTo.ok) return refuseReturnTo(reply, context)
    const loginPage = { title: 'page.login' as const, values: { email }, returnTo: rawReturnTo, next: returnTo.url ?? pages.urlOf(context, '/ui/account'), scripts: withPasskeys, providers: providers(context, returnTo.url) }
    const missing = missingFields(context.language, 'login', request.body, { email: 'field.email', password: 'field.password' })
    if (missing !== null) return sendFailure(pages, reply, 'login', context, missing, loginPage)
    try {
      const from = requesterOf(request)
      const outcome = await completeSignIn(ctx, await provePassword(ctx, { email, password }, from), from, { returnTo: returnTo.url ?? null })
      if (outcome.kind === 'second_factor') {
        // oxlint-disable-next-line typescript/return-await -- a FastifyReply is thenable, not a promise to wait for
        return pages.send(reply, 'mfa', context, { title: 'page.mfa', mfaToken: outcome.mfaToken, returnTo: rawReturnTo })
      }
      setSessionCookie(reply, config, outcome.token)
    } catch (error) {
      const failure = formFailure(error, context.language, 'login', { INVALID_CREDENTIALS: 'password', ACCOUNT_DISABLED: 'email', EMAIL_NOT_VERIFIED: 'email' })
      return sendFailure(pages, reply, 'login', context, failure, loginPage)
    }
    return reply.redirect(returnTo.url ?? pages.urlOf(context, '/ui/account'), 303)
  })

  app.post('/login/mfa', {
    config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true },
    schema: { ...hide, querystring: ReturnQuery, body: SecondFactorForm }
  }, async (request, reply) => {
    const { return_to: rawReturnTo } = request.query
    const { mfa_token: mfaToken, code } = request.body
    const returnTo = pages.checkReturnTo(rawReturnTo)
    const context = pages.context(request, reply, { path: '/ui/login', keep: { return_to: returnTo.ok ? rawReturnTo : undefined } })
    if (!returnTo.ok) return refuseReturnTo(reply, context)
    const missing = missingFields(context.language, 'mfa', request.body, { code: 'issue.required_code' })
    if (missing !== null) return sendFailure(pages, reply, 'mfa', context, missing, { title: 'page.mfa', mfaToken, returnTo: rawReturnTo })
    try {
      const { token } = await continueSignIn(ctx, { mfaToken, code }, requesterOf(request))
      setSessionCookie(reply, config, token)
    } catch (error) {
      const failure = formFailure(error, context.language, 'mfa', { MFA_FAILED: 'code', RATE_LIMITED: 'code' })
      return sendFailure(pages, reply, 'mfa', context, failure, { title: 'page.mfa', mfaToken, returnTo: rawReturnTo })
    }
    return reply.redirect(returnTo.url ?? pages.urlOf(context, '/ui/account'), 303)
  })

  app.get('/register', { schema: { ...hide, querystring: ReturnQuery } }, async (request, reply) => {
    const { return_to: rawReturnTo } = request.query
    const returnTo = pages.checkReturnTo(rawReturnTo)
    const context = pages.context(request, reply, { keep: { return_to: returnTo.ok ? rawReturnTo : undefined } })
    if (!returnTo.ok) return refuseReturnTo(reply, context)
    return pages.send(reply, 'register', context, { title: 'page.register', values: {}, returnTo: rawReturnTo, minLength: config.passwordPolicy.minLength, providers: providers(context, returnTo.url) })
  })

  app.post('/register', {
    config: { rateLimit: { bucket: 'register', max: config.limits.registerPerIp }, refuseCrossSite: true },
    schema: { ...hide, querystring: ReturnQuery, body: Credentials }
  }, async (request, reply) => {
    const { return_to: rawReturnTo } = request.query
    const { email, password } = request.body
    const returnTo = pages.checkReturnTo(rawReturnTo)
    const context = pages.context(request, reply, { path: '/ui/register', keep: { return_to: returnTo.ok ? rawReturnTo : undefined } })
    if (!returnTo.ok) return refuseReturnTo(reply, context)
    const registerPage = { title: 'page.register' as const, values: { email }, returnTo: rawReturnTo, minLength: config.passwordPolicy.minLength, providers: providers(context, returnTo.url) }
    const missing = missingFields(context.language, 'register', request.body, { email: 'field.email', password: 'field.password' })
    if (missing !== null) return sendFailure(pages, reply, 'register', context, missing, registerPage)
    let outcome: SignUp
    try {
      // The account speaks the language of the page it was made on.
      outcome = await signUp(ctx, { email, password, language: context.language }, requesterOf(request), { returnTo: returnTo.url ?? null })
    } catch (error) {
      return sendFailure(pages, reply, 'register', context, formFailure(error, context.language, 'register', { EMAIL_TAKEN: 'email' }), registerPage)
    }
    const registered = outcome.user.email
    if (outcome.signIn?.kind !== 'signed_in') {
      // The address must be verified first: its link is on its way. (Shown, not redirected
      // to: the address on this page comes from the account, never from a query.)
      return pages.send(reply, 'check_email', context, {
        title: 'page.check_email',
        email: registered,
        link: { href: pages.urlOf(context, '/ui/login', { email: registered, return_to: rawReturnTo }), label: 'link.home' }
      })
    }
    setSessionCookie(reply, config, outcome.signIn.token)
    return reply.redirect(returnTo.url ?? pages.urlOf(context, '/ui/account', { notice: 'welcome' satisfies AccountNotice }), 303)
  })

  app.get('/logout', { schema: { ...hide, querystring: PageQuery } }, async (request, reply) => {
    const context = pages.context(request, reply)
    if (await pages.session(request) === null) return pages.redirect(reply, context, '/ui/login')
    return pages.send(reply, 'logout', context, { title: 'page.logout' })
  })

  app.post('/logout', { config: { refuseCrossSite: true }, schema: { ...hide, querystring: PageQuery, body: FormToken } }, async (request, reply) => {
    const context = pages.context(request, reply, { form: false })
    const session = await pages.session(request)
    request.session = session
    if (session !== null) await endSession(ctx, session, requesterOf(request))
    clearSessionCookie(reply, config)
    return pages.redirect(reply, context, '/ui/login', { notice: 'signed_out' satisfies LoginNotice })
  })
}
