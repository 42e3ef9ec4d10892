// What every page handler needs besides the domain: the page's language (?lang=, else
// Accept-Language), its form token, the session of the cookie, and sending the HTML.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthContext } from '../auth/context.js'
import type { Config } from '../config.js'
import { type ValidSession, validateSessionToken } from '../features/sessions/sessions.js'
import { languageOf } from '../http/language.js'
import { sessionCookie } from '../http/plugins/session.js'
import { isLanguage } from '../i18n/languages.js'
import type { AssetUrls } from './assets.js'
import { type PageContext, type PageData, renderPage, urlWith } from './render.js'
import { createReturnToCheck, type ReturnTo } from './return-to.js'

/** The query every page accepts (each page adds its own). */
export interface PageQuery {
  readonly lang?: string
}

export interface PageKit {
  /** The page's context. `path` is the page's GET address (the route's by default), `keep`
   *  the query parameters its language links carry on. */
  context: (request: FastifyRequest, reply: FastifyReply, options?: { path?: string, keep?: Readonly<Record<string, string | undefined>>, form?: boolean }) => PageContext
  send: (reply: FastifyReply, name: string, context: PageContext, data: PageData, status?: number) => FastifyReply
  /** A path of the pages with the query, keeping an explicit ?lang=. */
  urlOf: (context: PageContext, path: string, query?: Readonly<Record<string, string | undefined>>) => string
  /** 303 See Other to a path of the pages, keeping an explicit ?lang=. */
  redirect: (reply: FastifyReply, context: PageContext, path: string, query?: Readonly<Record<string, string | undefined>>) => FastifyReply
  /** The session the cookie names, or null: pages never take X-Session-ID. */
  session: (request: FastifyRequest) => Promise<ValidSession | null>
  checkReturnTo: (raw: string | undefined) => ReturnTo
}

export function createPageKit (ctx: AuthContext, config: Config, assets: AssetUrls): PageKit {
  const checkReturnTo = createReturnToCheck([...config.http.selfOrigins, ...config.http.trustedOrigins])
  return {
    context (request, reply, { path, keep = {}, form = true } = {}) {
      const { lang } = request.query as PageQuery
      const chosen = lang !== undefined && isLanguage(lang)
      const kept: Record<string, string> = {}
      for (const [name, value] of Object.entries(keep)) if (value !== undefined && value !== '') kept[name] = value
      return {
        language: chosen ? lang : languageOf(request),
        languageChosen: chosen,
        csrfToken: form ? reply.generateCsrf() : null,
        ui: config.ui,
        assets,
        path: path ?? request.routeOptions.url ?? '/ui/login',
        keep: kept
      }
    },
    send (reply, name, context, data, status = 200) {
      return reply.code(status).type('text/html; charset=utf-8').send(renderPage(name, context, data))
    },
    urlOf: urlWith,
    redirect (reply, context, path, query = {}) {
      return reply.redirect(urlWith(context, path, query), 303)
    },
    async session (request) {
      const token = sessionCookie(request)
      return token === undefined ? null : await validateSessionToken(ctx, token)
    },
    checkReturnTo
  }
}
