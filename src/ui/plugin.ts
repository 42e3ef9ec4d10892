// The hosted pages under /ui/: one encapsulated Fastify context with its own headers (a
// page CSP, no `unsafe-inline`, nothing from another host), its own form tokens
// (@fastify/csrf-protection, the secret in an HttpOnly SameSite=Strict cookie, checked on
// every POST besides the Origin / Sec-Fetch-Site check every unsafe route has), and its
// own error pages: HTML, never JSON. The JSON API keeps its headers and its errors.
// Registered with the prefix /ui (routes below are relative to it).
import cookie from '@fastify/cookie'
import csrfProtection from '@fastify/csrf-protection'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthContext } from '../auth/context.js'
import { AuthError } from '../auth/errors.js'
import type { Config } from '../config.js'
import { classifyError, reportFailure } from '../http/errors.js'
import { translate } from '../i18n/catalogue.js'
import type { OutageLog } from '../outage-log.js'
import { createAccountKit } from './account-kit.js'
import type { ProviderHolder } from '../provider/plugin.js'
import { accountPages } from './pages/account.js'
import { authorizePages, providerPages } from './pages/authorize.js'
import { linkPages } from './pages/links.js'
import { reauthenticatePages } from './pages/reauthenticate.js'
import { securityPages } from './pages/security.js'
import { signInPages } from './pages/sign-in.js'
import { upstreamPages } from './pages/upstream.js'
import type { UpstreamProvider } from '../methods/upstream/provider.js'
import { createPageKit, type PageKit } from './page-kit.js'
import { registerAssets } from './assets.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: a POST of a page that is not ours (a provider's form_post), which carries no form token. */
    formToken?: false
  }
}

export interface UiOptions {
  readonly ctx: AuthContext
  readonly config: Config
  /** The identity providers people may sign in with (OIDC_PROVIDERS). */
  readonly upstream: ReadonlyMap<string, UpstreamProvider>
  /** The OpenID Connect provider, whose sign-in, consent and logout pages are these. */
  readonly provider?: ProviderHolder
}

export interface PageOptions extends UiOptions {
  readonly pages: PageKit
}

export const CSRF_COOKIE = 'authsvc_csrf'

/** The pages' CSP: this origin's stylesheet and scripts, fetch to this origin, images from here (and the logo's host, if
 *  BRAND_LOGO_URL is on another one), forms posting here or to a return_to origin. */
export function pageSecurityPolicy (config: Config): string {
  const logo = config.ui.logoUrl?.startsWith('https://') === true ? ` ${new URL(config.ui.logoUrl).origin}` : ''
  // A CSP source list cannot hold an IPv6 literal ([::1]); 'self' covers the page's own origin.
  const formTargets = [...new Set([...config.http.selfOrigins, ...config.http.trustedOrigins])].filter(origin => !origin.includes('[')).join(' ')
  return [
    "default-src 'none'",
    "style-src 'self'",
    // The passkey script and its library, from this origin (the pages work without them).
    "script-src 'self'",
    "connect-src 'self'",
    `img-src 'self' data:${logo}`,
    `form-action 'self' ${formTargets}`,
    "frame-ancestors 'none'",
    "base-uri 'none'"
  ].join('; ')
}

/** The CSP of the OpenID provider's own replies: the pages' (its error and logout pages use
 *  our layout), with no form-action, because its form_post response mode posts to the
 *  client's redirect URI (it adds the hash of that page's inline script to script-src). */
export function providerSecurityPolicy (config: Config): string {
  return pageSecurityPolicy(config).split('; ').filter(directive => !directive.startsWith('form-action')).join('; ')
}

export async function uiPlugin (app: FastifyInstance, { ctx, config, provider, upstream }: UiOptions): Promise<void> {
  const assets = registerAssets(app)
  const pages = createPageKit(ctx, config, assets)
  const headers = {
    'content-security-policy': pageSecurityPolicy(config),
    'cross-origin-opener-policy': 'same-origin',
    // Not the API's no-referrer: under it Chromium sends `Origin: null` with a form's POST,
    // which the cross-site check must refuse. same-origin still keeps a page's URL (a
    // token in it) from every other site.
    'referrer-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()'
  }

  await app.register(cookie)
  await app.register(csrfProtection, {
    cookieKey: CSRF_COOKIE,
    cookieOpts: { path: '/ui', sameSite: 'strict', httpOnly: true, secure: config.env === 'production' },
    getToken: (request: FastifyRequest) => (request.body as { _csrf?: string } | undefined)?._csrf
  })
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers)
    done()
  })
  // The form token, once the body is parsed (its `_csrf` field), on every POST.
  app.addHook('preValidation', (request, reply, done) => {
    if (request.method === 'POST' && request.routeOptions.config.formToken !== false) app.csrfProtection(request, reply, done)
    else done()
  })

  app.setNotFoundHandler(async (request, reply) => {
    const context = pages.context(request, reply, { path: '/ui/login', form: false })
    return pages.send(reply, 'message', context, { title: 'page.not_found', text: translate(context.language, 'text.not_found'), link: { href: pages.urlOf(context, '/ui/login'), label: 'link.home' } }, 404)
  })
  app.setErrorHandler(async (error: FastifyError, request, reply) => await sendErrorPage(error, request, reply, pages, ctx.outages))

  const options: PageOptions = { ctx, config, upstream, pages }
  await app.register(signInPages, options)
  await app.register(upstreamPages, { ...options, providers: upstream })
  await app.register(linkPages, options)
  const account = { ...options, account: createAccountKit(ctx, config, pages, upstream) }
  await app.register(accountPages, account)
  await app.register(securityPages, account)
  await app.register(reauthenticatePages, account)
  if (provider !== undefined) {
    provider.usePages(providerPages(config, assets))
    await app.register(authorizePages, { ...options, provider })
  }
}

/** Whatever a page could not handle: an HTML page with the status the API would give
 *  (classifyError, as the JSON API's error handler), worded for people. */
async function sendErrorPage (error: FastifyError, request: FastifyRequest, reply: FastifyReply, pages: PageKit, outages: OutageLog): Promise<FastifyReply> {
  const context = pages.context(request, reply, { path: '/ui/login', form: false })
  const t = (key: Parameters<typeof translate>[1], values?: Record<string, number>): string => translate(context.language, key, values)
  const failure = classifyError(error)
  reportFailure(failure, error, request, reply, outages)
  const seconds = failure.retryAfterSeconds ?? 1
  let text: string
  if (failure.name === 'CROSS_SITE' || failure.name === 'NO_SESSION') {
    // A refused form token or origin, or a session gone meanwhile: the page was old.
    text = t('text.form_expired')
  } else if (failure.name === 'IP_RATE_LIMITED') {
    text = t('error.IP_RATE_LIMITED', { seconds })
  } else if (error instanceof AuthError) {
    text = t(`error.${error.code}`, { seconds })
  } else if (failure.name === 'INVALID_FIELD') {
    // The pages' own forms always pass their schemas: this one is from an older page.
    text = t('text.form_expired')
  } else {
    text = t('text.error')
  }
  return pages.send(reply, 'message', context, { title: 'page.error', text, link: { href: pages.urlOf(context, '/ui/login'), label: 'link.home' } }, failure.status)
}
