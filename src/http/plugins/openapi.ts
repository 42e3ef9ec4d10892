// The OpenAPI 3.1 document, made by @fastify/swagger from the same TypeBox schemas that
// validate the requests and serialize the replies, at GET /openapi.json; and an API
// reference rendered from it by @fastify/swagger-ui at GET /docs, every asset served from
// this origin (no CDN, no online validator). Shared schemas become named components.
// `npm run lint:openapi` holds the document to Redocly's recommended rules (redocly.yaml).
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { ERRORS, type ErrorName } from '../../error-codes.js'
import { addErrorReply, errorNamesOf } from '../route-hooks.js'
import { integerParamRange, SHARED_SCHEMAS } from '../schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The error names each documented route answers with, by status: what it declared
     *  (errors(...)) and what its hooks added. The OpenAPI document describes each status
     *  from them; the tests hold both against the table. */
    errorReplies: () => Array<{ method: string, url: string, replies: ReadonlyMap<number, readonly ErrorName[]> }>
  }
  interface FastifyContextConfig {
    /** The session_id cookie this route's successful replies set ('set': it signs in) or
     *  clear ('clear': it signs out), and when, if not on every one: documented as their
     *  Set-Cookie header. The handler sets it (setSessionCookie, clearSessionCookie). */
    sessionCookie?: { readonly action: 'set' | 'clear', readonly when?: string }
  }
}

export const DOCS_PREFIX = '/docs'
export const OPENAPI_PATH = '/openapi.json'

// The reference page's own policy: scripts and styles from this origin only, nothing
// inline. Swagger UI (React) sets its styles through the DOM (element.style), which CSP
// allows; no style attribute or <style> element of it is refused (test/openapi.test.ts
// renders the page in Chromium and counts the violations).
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export interface OpenApiOptions {
  readonly version: string
  /** package.json's licence (an SPDX identifier). */
  readonly license: string
  readonly publicUrl: string
  /** BRAND_NAME: the reference page's title. */
  readonly brandName: string
}

// The reference page's icon: a key, in the page's own colours (no logo of Swagger's).
const DOCS_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f2937"/>' +
  '<circle cx="12" cy="16" r="5" fill="none" stroke="#fff" stroke-width="3"/><path d="M17 16h9m-3 0v4m-4-4v3" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>'

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

const SESSION_COOKIE_HEADERS = {
  set: {
    type: 'string',
    description: 'The session: `session_id=<token>; Max-Age=<SESSION_ABSOLUTE_TTL>; Path=/; HttpOnly; SameSite=Lax` (and `Secure` in production). ' +
      'Browsers send it back on their own; any other client may keep the token and send it as the X-Session-ID header instead.',
    pattern: '^session_id=[A-Za-z0-9_-]+;',
    examples: ['session_id=4qxW0bVd1q2X4X5vRk6m2z7bq0n9yTtXo3n6b0b1c2E; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax']
  },
  clear: {
    type: 'string',
    description: 'Clears the session cookie: `session_id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`.',
    pattern: '^session_id=;',
    examples: ['session_id=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax']
  }
} as const

/**
 * What the document says of an operation beyond its schemas, as @fastify/swagger builds it
 * (its `transform`; what Fastify validates is left as it is):
 *  - `security: []` on an operation that needs no session, so that it reads as public on
 *    purpose (OpenAPI's way, and Redocly's security-defined rule), not as forgotten;
 *  - the Set-Cookie header of the replies that set or clear the session cookie
 *    (`config.sessionCookie`);
 *  - `integer` for a path or query parameter holding one (schemas.ts integerParam()).
 */
function documentOperation ({ schema, url, route }: { schema: FastifySchema, url: string, route: RouteOptions }): { schema: FastifySchema, url: string } {
  // A route without a schema reaches the transform with none, whatever the type says.
  // oxlint-disable-next-line typescript/no-unnecessary-condition -- see above
  if (schema === undefined || schema === null) return { schema, url }
  const documented: FastifySchema = { ...schema, security: schema.security ?? [] }
  const cookie = route.config?.sessionCookie
  if (cookie !== undefined) {
    const header = SESSION_COOKIE_HEADERS[cookie.action]
    const description = cookie.when === undefined ? header.description : `${header.description} ${cookie.when}`
    documented.response = Object.fromEntries(Object.entries(schema.response ?? {}).map(([status, reply]) =>
      [status, Number(status) < 400 ? { ...(reply as object), headers: { 'Set-Cookie': { ...header, description } } } : reply]))
  }
  for (const part of ['params', 'querystring'] as const) {
    const parameters = schema[part] as { properties?: Record<string, object> } | undefined
    if (parameters?.properties === undefined || !Object.values(parameters.properties).some(p => integerParamRange(p) !== undefined)) continue
    documented[part] = {
      ...parameters,
      properties: Object.fromEntries(Object.entries(parameters.properties).map(([name, property]) => {
        const range = integerParamRange(property)
        return [name, range === undefined ? property : { ...property, type: 'integer', ...range }]
      }))
    }
  }
  return { schema: documented, url }
}

/** Whether a params schema can refuse a path: a parameter is always a string, so only one
 *  with a constraint of its own (a maxLength …) can fail validation. A query string can
 *  always fail (a repeated key is an array). */
function rejectsSomeParam (params: unknown): boolean {
  if (params === undefined) return false
  const properties = (params as { properties?: Record<string, Record<string, unknown>> }).properties ?? {}
  const annotations = new Set(['type', 'description', 'examples', 'title'])
  return Object.values(properties).some(property => property.type !== 'string' || Object.keys(property).some(key => !annotations.has(key)))
}

// Every body is parsed by these two, on every route that takes one.
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded']

export const openApiPlugin = fp(async function openApi (app: FastifyInstance, { version, license, publicUrl, brandName }: OpenApiOptions) {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  // What a route may answer besides what its handler declares (errors(...)), added as it is
  // registered; the cross-site check, the per-IP limit and the session check add their own
  // refusals in their plugins (csrf.ts, rate-limit.ts, session.ts).
  //  - A body is parsed and validated before the handler runs: malformed (bad_request), over
  //    64 KiB (payload_too_large), of another type (unsupported_media_type), or failing the
  //    schema (invalid_field). A query string, and params with constraints, are validated too.
  //  - 503 `unavailable` (DATABASE_UNAVAILABLE) can be answered by every route that reads the
  //    database, which is every route whose handler calls the domain (it declares a name of
  //    the domain: every domain function reads the database) and every route that needs a
  //    session (session.ts adds it there); the routes that do neither (GET /, the health
  //    probes, the documentation) never reach the database, so they do not document it.
  //    503 `overloaded` (OVERLOADED, the password hashers' queue) is the domain's: the routes
  //    whose domain functions hash or verify a password declare it.
  const routes: RouteOptions[] = []
  app.addHook('onRoute', route => {
    routes.push(route)
    const schema = route.schema
    if (schema === undefined) return
    const callsTheDomain = [...errorNamesOf(route).values()].flat().some(name => ERRORS[name].part === 'domain')
    if (schema.body !== undefined) {
      schema.consumes ??= BODY_TYPES
      addErrorReply(route, 'INVALID_FIELD', 'BAD_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE')
    }
    if (schema.querystring !== undefined || rejectsSomeParam(schema.params)) addErrorReply(route, 'INVALID_FIELD')
    if (callsTheDomain) addErrorReply(route, 'DATABASE_UNAVAILABLE')
  })
  // The error names every documented route has, by status, once all its hooks have run.
  app.decorate('errorReplies', () => routes
    .filter(route => route.schema?.hide !== true)
    .flatMap(route => (Array.isArray(route.method) ? route.method : [route.method])
      .filter(method => method !== 'HEAD')
      .map(method => ({ method, url: route.url, replies: errorNamesOf(route) }))))
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'authsvc',
        version,
        description: 'User authentication: sign-up, sign-in, sessions, password reset and account management. ' +
          'Request bodies are JSON or form data (application/x-www-form-urlencoded); every reply is JSON, ' +
          'every error `{"message","code"}`.\n\n' +
          'Signing in (POST /sessions, /sessions/mfa, /sessions/passkey) sets the `session_id` cookie (HttpOnly): ' +
          'a browser sends it back on its own; any other client keeps the token from the Set-Cookie header and sends it ' +
          'as `X-Session-ID`. Operations with `security: []` need no session.',
        license: { name: license, identifier: license }
      },
      // PUBLIC_URL: where this service is reached.
      servers: [{ url: publicUrl, description: 'This service (PUBLIC_URL)' }],
      tags: [
        { name: 'users', description: 'Accounts: sign-up, reading, changing and deleting one' },
        { name: 'sessions', description: 'Signing in and out, and who is signed in' },
        { name: 'password reset', description: 'A new password through a mailed token' },
        { name: 'account', description: 'The signed-in user\'s own account' },
        { name: 'second factors', description: 'TOTP and recovery codes' },
        { name: 'passkeys', description: 'Passkeys (WebAuthn): adding them, and signing in with one' },
        { name: 'service', description: 'The service itself' },
        { name: 'admin', description: 'The admin API: for ADMIN_ALLOW addresses and the bearer of ADMIN_TOKEN only (anybody else gets 404)' }
      ],
      components: {
        securitySchemes: {
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: 'session_id',
            description: 'The session token, set as an HttpOnly, SameSite=Lax cookie (Secure in production) by the sign-in operations (their Set-Cookie header). ' +
              'A request with it from a browser must come from this origin or TRUSTED_ORIGINS (the cross-site check).'
          },
          sessionHeader: { type: 'apiKey', in: 'header', name: 'X-Session-ID', description: 'The same token as the session_id cookie, for clients that are not browsers.' }
        }
      }
    },
    // Components named by their $id ('Error', 'User' …) rather than def-0, def-1 …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` },
    transform: documentOperation
  })
  // Swagger UI branded as the service: BRAND_NAME in the title, our icon, and its base
  // layout, which has no top bar (Swagger's logo and a box to load any other document).
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    // Used by Swagger UI's top bar only, which this layout has not: ours rather than its.
    logo: { type: 'image/svg+xml', content: DOCS_ICON },
    theme: {
      // Swagger UI puts the title into the page as it is.
      title: escapeHtml(`${brandName} API reference`),
      favicon: [{ filename: 'favicon.svg', rel: 'icon', sizes: 'any', type: 'image/svg+xml', content: DOCS_ICON }]
    },
    uiConfig: { deepLinking: false, layout: 'BaseLayout' }
  })
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())
}, { name: 'authsvc-openapi' })
