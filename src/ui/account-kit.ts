// The account's pages: four short sections, each its own server-rendered page with the
// same navigation and "Sign out" in the header — profile (/ui/account: the address, its
// verification, the mail language, deletion), security (password, email, two-step
// verification, recovery codes, passkeys), devices (sessions) and activity (security
// events). What their forms share: the cookie's session, the way back to the section a
// form is on (with a notice, or with the error beside its field), and the
// fresh-authentication rule of privileged changes.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthContext } from '../auth/context.js'
import { AuthError } from '../auth/errors.js'
import type { Config } from '../config.js'
import { getAccount } from '../features/account/account.js'
import { listAccountEvents } from '../features/audit/audit.js'
import { listUserSessions, type ValidSession } from '../features/sessions/sessions.js'
import { requireFreshAuthentication } from '../flows/privileged.js'
import { requesterOf } from '../http/client-address.js'
import { isMessageKey, type MessageKey, translate } from '../i18n/catalogue.js'
import { listPasskeys, passkeysAvailable } from '../methods/passkey/passkeys.js'
import type { UpstreamProvider } from '../methods/upstream/provider.js'
import { identitiesOf } from '../methods/upstream/upstream.js'
import { deviceName, nameDevices } from './devices.js'
import { type FieldMap, type FormFailure, formFailure, missingFields } from './forms.js'
import type { AccountNotice } from './notices.js'
import type { PageKit } from './page-kit.js'
import { formatMoment, type PageContext } from './render.js'

export type SectionName = 'profile' | 'security' | 'devices' | 'activity'

export const SECTIONS: Readonly<Record<SectionName, { readonly path: string, readonly title: MessageKey, readonly nav: MessageKey }>> = {
  profile: { path: '/ui/account', title: 'account.profile', nav: 'nav.profile' },
  security: { path: '/ui/account/security', title: 'page.account_security', nav: 'nav.security' },
  devices: { path: '/ui/account/devices', title: 'page.account_devices', nav: 'nav.devices' },
  activity: { path: '/ui/account/activity', title: 'page.account_activity', nav: 'nav.activity' }
}
const ORDER: readonly SectionName[] = ['profile', 'security', 'devices', 'activity']

/** The section whose page is at `path` (a return_to after a re-authentication), or undefined. */
export function sectionAt (path: string | undefined): SectionName | undefined {
  return ORDER.find(name => SECTIONS[name].path === path)
}

const EVENTS_PER_PAGE = '20'

export interface SectionExtra {
  readonly notice?: string | null
  readonly failure?: FormFailure
  readonly values?: Record<string, string>
  /** The activity page's cursor (?before=). */
  readonly before?: string
}

export interface AccountKit {
  /** The cookie's session, also on request.session (requesterOf names it in events). */
  signedIn: (request: FastifyRequest) => Promise<ValidSession | null>
  /** To the sign-in page, and back to `path` after it. */
  toLogin: (reply: FastifyReply, context: PageContext, path: string) => FastifyReply
  sendSection: (reply: FastifyReply, context: PageContext, session: ValidSession, section: SectionName, extra?: SectionExtra) => Promise<FastifyReply>
  /**
   * A form of `section`: runs `action` for the signed-in user, then redirects to the
   * section with the notice it returns; a domain refusal shows the section again with the
   * error on `form`. A privileged form first applies the fresh-authentication rule (as the
   * JSON routes do) and sends a stale session to confirm it is the user, then back.
   */
  form: <Body>(section: SectionName, form: string, fields: FieldMap, action: FormAction<Body>, options?: { privileged?: boolean, required?: Readonly<Record<string, MessageKey>> }) =>
  (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply) => Promise<FastifyReply>
}

export type FormAction<Body> = (session: ValidSession, body: Body, request: FastifyRequest, reply: FastifyReply, context: PageContext) => Promise<AccountNotice | FastifyReply>

export function createAccountKit (ctx: AuthContext, config: Config, pages: PageKit, upstream: ReadonlyMap<string, UpstreamProvider>): AccountKit {
  const withPasskeys = passkeysAvailable(config.publicUrl)

  async function signedIn (request: FastifyRequest): Promise<ValidSession | null> {
    const session = await pages.session(request)
    request.session = session
    return session
  }

  function toLogin (reply: FastifyReply, context: PageContext, path: string): FastifyReply {
    return pages.redirect(reply, context, '/ui/login', { return_to: path })
  }

  /** What the section's template shows; each loads only its own. */
  async function load (context: PageContext, session: ValidSession, section: SectionName, before: string | undefined): Promise<Record<string, unknown>> {
    const when = (at: number): string => formatMoment(at, context.language)
    switch (section) {
      case 'profile':
        return { account: await getAccount(ctx, session.user.id) }
      case 'security': {
        const [account, passkeys, identities] = await Promise.all([getAccount(ctx, session.user.id), listPasskeys(ctx, session.user.id), identitiesOf(ctx, session.user.id)])
        const label = (name: string): string => upstream.get(name)?.config.label ?? name
        return {
          account,
          passkeys,
          identities: identities.map(identity => ({ ...identity, label: label(identity.provider) })),
          providers: [...upstream.values()].map(provider => ({ name: provider.config.name, label: provider.config.label })),
          minLength: config.passwordPolicy.minLength,
          scripts: withPasskeys
        }
      }
      case 'devices':
        return { devices: nameDevices(await listUserSessions(ctx, session), context.language, when) }
      case 'activity': {
        const { events, next } = await listAccountEvents(ctx, session.user.id, { limit: EVENTS_PER_PAGE, before })
        const label = (type: string): string => translate(context.language, isMessageKey(`event.${type}`) ? `event.${type}` as MessageKey : 'event.other')
        return { events: events.map(event => ({ ...event, label: label(event.type), device: event.userAgent === null ? null : deviceName(event.userAgent, context.language) })), next, before }
      }
    }
  }

  async function sendSection (reply: FastifyReply, context: PageContext, session: ValidSession, section: SectionName, extra: SectionExtra = {}): Promise<FastifyReply> {
    const data = await load(context, session, section, extra.before)
    if (extra.failure?.retryAfterSeconds !== undefined) void reply.header('retry-after', String(extra.failure.retryAfterSeconds))
    const accountNav = ORDER.map(name => ({ href: pages.urlOf(context, SECTIONS[name].path), label: SECTIONS[name].nav, current: name === section }))
    return pages.send(reply, `account/${section}`, context, {
      title: SECTIONS[section].title,
      notice: extra.notice ?? null,
      errors: extra.failure?.errors ?? [],
      values: extra.values ?? {},
      accountNav,
      section,
      ...data
    }, extra.failure?.status ?? 200)
  }

  function form<Body> (section: SectionName, name: string, fields: FieldMap, action: FormAction<Body>, options: { privileged?: boolean, required?: Readonly<Record<string, MessageKey>> } = {}) {
    const path = SECTIONS[section].path
    return async (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply): Promise<FastifyReply> => {
      const context = pages.context(request, reply, { path })
      const session = await signedIn(request)
      if (session === null) return toLogin(reply, context, path)
      const body = request.body as Record<string, string | undefined>
      // What the user typed comes back (never a password).
      const values: Record<string, string> = body.new_email === undefined ? {} : { new_email: body.new_email }
      const missing = options.required === undefined ? null : missingFields(context.language, name, body, options.required)
      if (missing !== null) return await sendSection(reply, context, session, section, { failure: missing, values })
      let outcome: AccountNotice | FastifyReply
      try {
        if (options.privileged === true) {
          const currentPassword = body.current_password
          await requireFreshAuthentication(ctx, session, currentPassword === '' ? undefined : currentPassword, requesterOf(request))
        }
        outcome = await action(session, request.body as Body, request, reply, context)
      } catch (error) {
        if (error instanceof AuthError && error.code === 'REAUTHENTICATION_REQUIRED') return pages.redirect(reply, context, '/ui/reauthenticate', { return_to: path })
        return await sendSection(reply, context, session, section, { failure: formFailure(error, context.language, name, fields), values })
      }
      return typeof outcome === 'string' ? pages.redirect(reply, context, path, { notice: outcome }) : outcome
    }
  }

  return { signedIn, toLogin, sendSection, form }
}
