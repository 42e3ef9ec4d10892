// The forms of /ui/account/security: password, email, two-step verification (set-up with
// a QR code page, its confirmation and new recovery codes on a page shown once) and
// passkeys (rename, remove; adding one is the passkey script's). Each calls the domain
// function its JSON route calls (PUT /account/password, POST /account/email, POST
// /account/totp[/confirm], DELETE /account/totp, POST /account/recovery_codes, PATCH and
// DELETE /account/passkeys/:id), under the same limits and the fresh-authentication rule.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { AuthError } from '../../auth/errors.js'
import { changePassword } from '../../features/account/account.js'
import { requestEmailChange } from '../../features/email-change/email-change.js'
import { requireFreshAuthentication } from '../../flows/privileged.js'
import { requesterOf } from '../../http/client-address.js'
import { translate } from '../../i18n/catalogue.js'
import { removePasskey, renamePasskey } from '../../methods/passkey/passkeys.js'
import { flowCookie } from '../../methods/upstream/flow-cookie.js'
import { beginOrRefuse, providerNamed } from '../../methods/upstream/routes.js'
import { unlinkUpstreamIdentity } from '../../methods/upstream/upstream.js'
import { beginTotpEnrolment, confirmTotp, disableTotp, pendingTotpEnrolment, regenerateRecoveryCodes, type TotpEnrolment } from '../../methods/totp/totp.js'
import { type AccountKit, SECTIONS } from '../account-kit.js'
import { type FormFailure, formFailure, missingFields, sendFailure } from '../forms.js'
import type { PageOptions } from '../plugin.js'
import type { PageContext } from '../render.js'
import { FormToken, PageQuery } from '../schemas.js'

// current_password: needed only from a session not authenticated within REAUTH_MAX_AGE.
const CurrentPassword = Type.Optional(Type.String({ maxLength: 4096 }))
const PasswordForm = Type.Object({ ...FormToken.properties, current_password: CurrentPassword, new_password: Type.String({ maxLength: 4096 }) })
const EmailForm = Type.Object({ ...FormToken.properties, new_email: Type.String({ maxLength: 1024 }), current_password: CurrentPassword })
const PasswordOnlyForm = Type.Object({ ...FormToken.properties, current_password: CurrentPassword })
const CodeForm = Type.Object({ ...FormToken.properties, code: Type.String({ maxLength: 64 }) })
const PasskeyForm = Type.Object({ ...FormToken.properties, passkey: Type.String({ maxLength: 1400 }), name: Type.Optional(Type.String({ maxLength: 200 })) })
const LinkForm = Type.Object({ ...FormToken.properties, provider: Type.String({ maxLength: 64 }) })
const UnlinkForm = Type.Object({ ...FormToken.properties, identity: Type.String({ maxLength: 64 }) })

export const securityPages: FastifyPluginAsyncTypebox<PageOptions & { account: AccountKit }> = async (app, { ctx, config, pages, account, upstream }) => {
  const hide = { hide: true }
  const accountLimit = { rateLimit: { bucket: 'account', max: config.limits.accountPerIp }, refuseCrossSite: true }
  const formConfig = { refuseCrossSite: true }
  const privileged = { privileged: true }
  const wrongPassword = { WRONG_CURRENT_PASSWORD: 'current_password', RATE_LIMITED: 'current_password' } as const
  const back = SECTIONS.security.path

  app.post('/account/password', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordForm } },
    account.form<{ new_password: string }>('security', 'password', wrongPassword, async (session, body, request) => {
      await changePassword(ctx, session, body.new_password, requesterOf(request))
      return 'password_changed'
    }, { ...privileged, required: { new_password: 'field.new_password' } }))

  app.post('/account/email', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: EmailForm } },
    account.form<{ new_email: string }>('security', 'email', { ...wrongPassword, EMAIL_TAKEN: 'new_email' }, async (session, body, request) => {
      await requestEmailChange(ctx, session, { newEmail: body.new_email }, requesterOf(request))
      return 'email_change_sent'
    }, { ...privileged, required: { new_email: 'field.new_email' } }))

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
    account.form('security', 'totp', wrongPassword, async (session, _body, _request, reply, context) => {
      return await sendTotpSetup(reply, context, await beginTotpEnrolment(ctx, session))
    }, privileged))

  app.post('/account/totp/confirm', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: CodeForm } }, async (request, reply) => {
    const context = pages.context(request, reply, { path: back })
    const session = await account.signedIn(request)
    if (session === null) return account.toLogin(reply, context, back)
    // A refused code shows the set-up page again, or the security page once the set-up is gone.
    const refuse = async (failure: FormFailure): Promise<FastifyReply> => {
      const enrolment = await pendingTotpEnrolment(ctx, session)
      if (enrolment === null) return await account.sendSection(reply, context, session, 'security', { failure: { ...failure, errors: failure.errors.map(e => ({ ...e, form: 'totp', field: undefined })) } })
      return await sendTotpSetup(reply, context, enrolment, failure)
    }
    const missing = missingFields(context.language, 'totp-confirm', request.body, { code: 'issue.required_code' })
    if (missing !== null) return await refuse(missing)
    try {
      await requireFreshAuthentication(ctx, session, undefined, requesterOf(request))
      // oxlint-disable-next-line typescript/return-await -- a FastifyReply is thenable, not a promise to wait for
      return sendRecoveryCodes(reply, context, await confirmTotp(ctx, session, request.body.code, requesterOf(request)), null)
    } catch (error) {
      if (error instanceof AuthError && error.code === 'REAUTHENTICATION_REQUIRED') return pages.redirect(reply, context, '/ui/reauthenticate', { return_to: back })
      return await refuse(formFailure(error, context.language, 'totp-confirm', { INVALID_CODE: 'code' }))
    }
  })

  app.post('/account/totp/disable', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordOnlyForm } },
    account.form('security', 'totp', wrongPassword, async (session, _body, request) => {
      await disableTotp(ctx, session, requesterOf(request))
      return 'totp_disabled'
    }, privileged))

  app.post('/account/recovery_codes', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: PasswordOnlyForm } },
    account.form('security', 'totp', wrongPassword, async (session, _body, request, reply, context) => {
      const codes = await regenerateRecoveryCodes(ctx, session, requesterOf(request))
      return sendRecoveryCodes(reply, context, codes, translate(context.language, 'notice.recovery_codes'))
    }, privileged))

  app.post('/account/passkeys/rename', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: PasskeyForm } },
    account.form<{ passkey: string, name?: string }>('security', 'passkeys', {}, async (session, body) => {
      await renamePasskey(ctx, session, body.passkey, body.name ?? '')
      return 'passkey_renamed'
    }))

  app.post('/account/passkeys/remove', { config: formConfig, schema: { ...hide, querystring: PageQuery, body: PasskeyForm } },
    account.form<{ passkey: string }>('security', 'passkeys', {}, async (session, body, request) => {
      await removePasskey(ctx, session, body.passkey, requesterOf(request))
      return 'passkey_removed'
    }, privileged))

  // Linked accounts at other providers. A link goes to the provider and comes back to the
  // callback page; the way there is a page of its own that moves on (a Refresh header):
  // Chromium applies the form's CSP form-action to redirects after a submission.
  app.post('/account/identities/link', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: LinkForm } },
    account.form<{ provider: string }>('security', 'identities', {}, async (session, body, request, reply, context) => {
      const { url, token } = await beginOrRefuse(ctx, providerNamed(upstream, body.provider), { linkUserId: session.user.id, returnTo: null }, request.log)
      void reply.header('set-cookie', flowCookie(config, token)).header('refresh', `0;url=${url.toString()}`)
      return pages.send(reply, 'continue', context, { title: 'page.continue', next: url.toString() })
    }, privileged))

  app.post('/account/identities/unlink', { config: accountLimit, schema: { ...hide, querystring: PageQuery, body: UnlinkForm } },
    account.form<{ identity: string }>('security', 'identities', {}, async (session, body, request) => {
      await unlinkUpstreamIdentity(ctx, session.user.id, body.identity, requesterOf(request), name => upstream.get(name)?.config.label ?? name)
      return 'identity_unlinked'
    }, privileged))
}
