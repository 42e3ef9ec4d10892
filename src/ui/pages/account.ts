// /ui/account: the profile and its verification, language, password, email, devices,
// recent security events, sign out and deletion. Each form calls the domain function its
// JSON route calls (PUT /account, PUT /account/password, POST /account/email,
// POST /account/verify_email, DELETE /account/sessions[/:id]), under the same limits;
// then redirects back with a notice (POST/redirect/GET), or shows the page again with the
// error beside its field.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { AuthError } from '../../auth/errors.js'
import { changeLanguage, changePassword, getAccount } from '../../features/account/account.js'
import { listAccountEvents } from '../../features/audit/audit.js'
import { requestEmailChange } from '../../features/email-change/email-change.js'
import { listUserSessions, revokeOtherSessions, revokeSession, sessionHandle, type ValidSession } from '../../features/sessions/sessions.js'
import { resendVerification } from '../../features/verification/verification.js'
import { reauthenticate } from '../../flows/login/reauthenticate.js'
import { requireFreshAuthentication } from '../../flows/privileged.js'
import { deleteAccount } from '../../flows/settings.js'
import { listPasskeys, passkeysAvailable, removePasskey, renamePasskey } from '../../methods/passkey/passkeys.js'
import { beginTotpEnrolment, confirmTotp, disableTotp, pendingTotpEnrolment, regenerateRecoveryCodes, type TotpEnrolment } from '../../methods/totp/totp.js'
import { requesterOf } from '../../http/client-address.js'
import { clearSessionCookie } from '../../http/plugins/session.js'
import { isMessageKey, type MessageKey, translate } from '../../i18n/catalogue.js'
import { type FieldMap, type FormFailure, formFailure, sendFailure } from '../forms.js'
import { ACCOUNT_NOTICES, type AccountNotice, type LoginNotice, noticeOf } from '../notices.js'
import type { PageOptions } from '../plugin.js'
import type { PageContext } from '../render.js'
import { FormToken, NoticeQuery, PageQuery, ReturnQuery } from '../schemas.js'

const RECENT_EVENTS = '10'

// current_password: needed only from a session not authenticated within REAUTH_MAX_AGE.
const CurrentPassword = Type.Optional(Type.String({ maxLength: 4096 }))
const PasswordForm = Type.Object({ ...FormToken.properties, current_password: CurrentPassword, new_password: Type.String({ maxLength: 4096 }) })
const EmailForm = Type.Object({ ...FormToken.properties, new_email: Type.String({ maxLength: 1024 }), current_password: CurrentPassword })
const LanguageForm = Type.Object({ ...FormToken.properties, language: Type.String({ maxLength: 16 }) })
const SessionForm = Type.Object({ ...FormToken.properties, session: Type.String({ maxLength: 64 }) })
const PasswordOnlyForm = Type.Object({ ...FormToken.properties, current_password: CurrentPassword })
const CodeForm = Type.Object({ ...FormToken.properties, code: Type.String({ maxLength: 64 }) })
const PasskeyForm = Type.Object({ ...FormToken.properties, passkey: Type.String({ maxLength: 1400 }), name: Type.Optional(Type.String({ maxLength: 200 })) })
const DeleteForm = Type.Object({ ...FormToken.properties, current_password: CurrentPassword, confirm: Type.Optional(Type.String({ maxLength: 8 })) })

export const accountPages: FastifyPluginAsyncTypebox<PageOptions> = async (app, { ctx, config, pages }) => {
  const hide = { hide: true }
  const accountLimit = { rateLimit: { bucket: 'account', max: config.limits.accountPerIp }, refuseCrossSite: true }
  const formConfig = { refuseCrossSite: true }
  const withPasskeys = passkeysAvailable(config.publicUrl)
  const privileged = { privileged: true }

  /** The cookie's session, on request.session (requesterOf names it in events); null sends to sign-in. */
  async function signedIn (request: FastifyRequest): Promise<ValidSession | null> {
    const session = await pages.session(request)
    request.session = session
    return session
  }

  function toLogin (reply: FastifyReply, context: PageContext): FastifyReply {
    return pages.redirect(reply, context, '/ui/login', { return_to: '/ui/account' })
  }

  async function sendAccount (request: FastifyRequest, reply: FastifyReply, context: PageContext, session: ValidSession, extra: { notice?: string | null, failure?: FormFailure, values?: Record<string, string> } = {}): Promise<FastifyReply> {
    const [account, sessions, { events }, passkeys] = await Promise.all([
      getAccount(ctx, session.user.id),
      listUserSessions(ctx, session),
      listAccountEvents(ctx, session.user.id, { limit: RECENT_EVENTS }),
      listPasskeys(ctx, session.user.id)
    ])
    const label = (type: string): string => translate(context.language, isMessageKey(`event.${type}`) ? `event.${type}` as MessageKey : 'event.other')
    if (extra.failure?.retryAfterSeconds !== undefined) void reply.header('retry-after', String(extra.failure.retryAfterSeconds))
    return pages.send(reply, 'account', context, {
      title: 'page.account',
      notice: extra.notice ?? null,
      errors: extra.failure?.errors ?? [],
      values: extra.values ?? {},
      account,
      sessions,
      events: events.map(event => ({ ...event, label: label(event.type) })),
      passkeys,
      minLength: config.passwordPolicy.minLength,
      scripts: withPasskeys
    }, extra.failure?.status ?? 200)
  }

  app.get('/account', { schema: { ...hide, querystring: NoticeQuery } }, async (request, reply) => {
    const context = pages.context(request, reply)
    const session = await signedIn(request)
    if (session === null) return toLogin(reply, context)
    return await sendAccount(request, reply, context, session, { notice: noticeOf(context.language, request.query.notice, ACCOUNT_NOTICES) })
  })

  /**
   * A form of the account page: runs `action` for the signed-in user, then redirects to
   * the page with `notice`; a domain refusal shows the page again with the error on `form`.
   * A privileged form first applies the fresh-authentication rule (flows/privileged.ts,
   * as the JSON routes do), and sends a stale session to confirm it is the user, then back.
   */
  function accountForm<Body> (form: string, fields: FieldMap, action: (session: ValidSession, body: Body, request: FastifyRequest, reply: FastifyReply, context: PageContext) => Promise<AccountNotice | FastifyReply>, options: { privileged?: boolean } = {}) {
    return async (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply): Promise<FastifyReply> => {
      const context = pages.context(request, reply, { path: '/ui/account' })
      const session = await signedIn(request)
      if (session === null) return toLogin(reply, context)
      let outcome: AccountNotice | FastifyReply
      try {
        if (options.privileged === true) {
          const currentPassword = (request.body as { current_password?: string }).current_password
          await requireFreshAuthentication(ctx, session, currentPassword === '' ? undefined : currentPassword, requesterOf(request))
        }
        outcome = await action(session, request.body as Body, request, reply, context)
      } catch (error) {
        if (error instanceof AuthError && error.code === 'REAUTHENTICATION_REQUIRED') return pages.redirect(reply, context, '/ui/reauthenticate', { return_to: '/ui/account' })
        const values: Record<string, string> = form === 'email' ? { new_email: (request.body as { new_email?: string }).new_email ?? '' } : {}
        return await sendAccount(request, reply, context, session, { failure: formFailure(error, context.language, form, fields), values })
      }
      return typeof outcome === 'string' ? pages.redirect(reply, context, '/ui/account', { notice: outcome }) : outcome
    }
  }

  app.post('/account/verify_email', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: FormToken } },
    accountForm('verify', {}, async (session, _body, request) => {
      await resendVerification(ctx, session, requesterOf(request))
      return 'verification_sent'
    }))

  app.post('/account/language', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: LanguageForm } },
    accountForm<{ language: string }>('language', { INVALID_FIELD: 'language' }, async (session, { language }) => {
      await changeLanguage(ctx, session.user.id, language)
      return 'language_saved'
    }))

  app.post('/account/password', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordForm } },
    accountForm<{ new_password: string }>('password', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' }, async (session, body, request) => {
      await changePassword(ctx, session, body.new_password, requesterOf(request))
      return 'password_changed'
    }, privileged))

  app.post('/account/email', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: EmailForm } },
    accountForm<{ new_email: string }>('email', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password', EMAIL_TAKEN: 'new_email' }, async (session, body, request) => {
      await requestEmailChange(ctx, session, { newEmail: body.new_email }, requesterOf(request))
      return 'email_change_sent'
    }, privileged))

  app.post('/account/sessions/revoke', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: SessionForm } },
    accountForm<{ session: string }>('sessions', {}, async (session, body, request, reply, context) => {
      await revokeSession(ctx, session, body.session, requesterOf(request))
      if (body.session !== sessionHandle(session.id)) return 'session_revoked'
      // This device's own session: that was a sign out.
      clearSessionCookie(reply, config)
      return pages.redirect(reply, context, '/ui/login', { notice: 'signed_out' satisfies LoginNotice })
    }))

  app.post('/account/sessions/revoke_others', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: FormToken } },
    accountForm('sessions', {}, async (session, _body, request) => {
      await revokeOtherSessions(ctx, session, requesterOf(request))
      return 'sessions_revoked'
    }))

  // Two-step verification: set-up shows the QR code page, its confirmation (and new
  // codes) the recovery codes page, once; a refusal shows the page it came from again.
  async function sendTotpSetup (reply: FastifyReply, context: PageContext, enrolment: TotpEnrolment, failure?: FormFailure): Promise<FastifyReply> {
    // Loaded at the first set-up: most instances never draw a QR code.
    const { default: QRCode } = await import('qrcode')
    const qrSvg = (await QRCode.toString(enrolment.otpauthUrl, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }))
      .replace('<svg ', `<svg role="img" aria-label="${translate(context.language, 'page.totp_setup').replaceAll('"', '')}" `)
    const data = { title: 'page.totp_setup' as const, qrSvg, secretGroups: enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret }
    return failure === undefined ? pages.send(reply, 'totp_setup', context, data) : sendFailure(pages, reply, 'totp_setup', context, failure, data)
  }

  function sendRecoveryCodes (reply: FastifyReply, context: PageContext, codes: readonly string[], notice: string | null): FastifyReply {
    const download = `data:text/plain;charset=utf-8,${encodeURIComponent(`${config.ui.brandName}\n\n${codes.join('\n')}\n`)}`
    return pages.send(reply, 'recovery_codes', context, { title: 'page.recovery_codes', codes, download, notice })
  }

  app.post('/account/totp', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordOnlyForm } },
    accountForm('totp', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' }, async (session, _body, _request, reply, context) => {
      return await sendTotpSetup(reply, context, await beginTotpEnrolment(ctx, session))
    }, privileged))

  app.post('/account/totp/confirm', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: CodeForm } }, async (request, reply) => {
    const context = pages.context(request, reply, { path: '/ui/account' })
    const session = await signedIn(request)
    if (session === null) return toLogin(reply, context)
    try {
      await requireFreshAuthentication(ctx, session, undefined, requesterOf(request))
      // oxlint-disable-next-line typescript/return-await -- a FastifyReply is thenable, not a promise to wait for
      return sendRecoveryCodes(reply, context, await confirmTotp(ctx, session, request.body.code, requesterOf(request)), null)
    } catch (error) {
      if (error instanceof AuthError && error.code === 'REAUTHENTICATION_REQUIRED') return pages.redirect(reply, context, '/ui/reauthenticate', { return_to: '/ui/account' })
      const failure = formFailure(error, context.language, 'totp-confirm', { INVALID_CODE: 'code' })
      const enrolment = await pendingTotpEnrolment(ctx, session)
      if (enrolment === null) return await sendAccount(request, reply, context, session, { failure: { ...failure, errors: failure.errors.map(e => ({ ...e, form: 'totp', field: undefined })) } })
      return await sendTotpSetup(reply, context, enrolment, failure)
    }
  })

  app.post('/account/totp/disable', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordOnlyForm } },
    accountForm('totp', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' }, async (session, _body, request) => {
      await disableTotp(ctx, session, requesterOf(request))
      return 'totp_disabled'
    }, privileged))

  app.post('/account/recovery_codes', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordOnlyForm } },
    accountForm('totp', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' }, async (session, _body, request, reply, context) => {
      const codes = await regenerateRecoveryCodes(ctx, session, requesterOf(request))
      return sendRecoveryCodes(reply, context, codes, translate(context.language, 'notice.recovery_codes'))
    }, privileged))

  app.post('/account/passkeys/rename', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: PasskeyForm } },
    accountForm<{ passkey: string, name?: string }>('passkeys', {}, async (session, body) => {
      await renamePasskey(ctx, session, body.passkey, body.name ?? '')
      return 'passkey_renamed'
    }))

  app.post('/account/passkeys/remove', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: PasskeyForm } },
    accountForm<{ passkey: string }>('passkeys', {}, async (session, body, request) => {
      await removePasskey(ctx, session, body.passkey, requesterOf(request))
      return 'passkey_removed'
    }, privileged))

  app.post('/account/delete', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: DeleteForm } },
    accountForm<{ confirm?: string }>('delete', { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' }, async (session, body, request, reply, context) => {
      if (body.confirm !== 'yes') throw new AuthError('INVALID_FIELD', 'confirm the deletion', undefined, { field: 'confirm', rule: 'confirm_delete' })
      await deleteAccount(ctx, session.user.id, requesterOf(request))
      clearSessionCookie(reply, config)
      return pages.redirect(reply, context, '/ui/login', { notice: 'account_deleted' satisfies LoginNotice })
    }, privileged))

  // Confirm it is you: the password (and a code with TOTP on) or a passkey, then back to
  // the change the user was making (its return_to, checked as the login page's).
  const ReauthForm = Type.Object({ ...FormToken.properties, password: Type.String({ maxLength: 4096 }), code: Type.Optional(Type.String({ maxLength: 64 })) })
  async function sendReauthenticate (reply: FastifyReply, context: PageContext, session: ValidSession, returnTo: string | undefined, failure?: FormFailure): Promise<FastifyReply> {
    const target = pages.checkReturnTo(returnTo)
    const data = {
      title: 'page.reauthenticate' as const,
      account: { email: session.user.email },
      withTotp: (await getAccount(ctx, session.user.id)).totpEnabled,
      returnTo,
      next: (target.ok ? target.url : undefined) ?? pages.urlOf(context, '/ui/account', { notice: 'reauthenticated' satisfies AccountNotice }),
      scripts: withPasskeys
    }
    return failure === undefined ? pages.send(reply, 'reauthenticate', context, data) : sendFailure(pages, reply, 'reauthenticate', context, failure, data)
  }

  app.get('/reauthenticate', { schema: { ...hide, querystring: ReturnQuery } }, async (request, reply) => {
    const context = pages.context(request, reply, { keep: { return_to: request.query.return_to } })
    const session = await signedIn(request)
    if (session === null) return toLogin(reply, context)
    return await sendReauthenticate(reply, context, session, request.query.return_to)
  })

  app.post('/reauthenticate', {
    config: { rateLimit: { bucket: 'login', max: config.limits.loginPerIp }, refuseCrossSite: true },
    schema: { ...hide, querystring: ReturnQuery, body: ReauthForm }
  }, async (request, reply) => {
    const { return_to: rawReturnTo } = request.query
    const context = pages.context(request, reply, { path: '/ui/reauthenticate', keep: { return_to: rawReturnTo } })
    const session = await signedIn(request)
    if (session === null) return toLogin(reply, context)
    const target = pages.checkReturnTo(rawReturnTo)
    if (!target.ok) return pages.redirect(reply, context, '/ui/account')
    try {
      await reauthenticate(ctx, session, { password: request.body.password, code: request.body.code }, requesterOf(request))
    } catch (error) {
      const failure = formFailure(error, context.language, 'reauthenticate', { INVALID_CREDENTIALS: 'password', WRONG_CODE: 'code', RATE_LIMITED: 'password' })
      return await sendReauthenticate(reply, context, session, rawReturnTo, failure)
    }
    return target.url === undefined || target.url === '/ui/account' ? pages.redirect(reply, context, '/ui/account', { notice: 'reauthenticated' satisfies AccountNotice }) : reply.redirect(target.url, 303)
  })
}
