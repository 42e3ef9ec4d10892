// The OpenAPI 3.1 document, made by @fastify/swagger from the same TypeBox schemas that
// validate the requests and serialize the replies, at GET /openapi.json; and an API
// reference rendered from it by @fastify/swagger-ui at GET /docs, every asset served from
// this origin (no CDN, no online validator). Shared schemas become named components.
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { ERRORS, type ErrorName } from '../../error-codes.js'
import { addErrorReply, errorNamesOf } from '../route-hooks.js'
import { SHARED_SCHEMAS } from '../schemas.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The error names each documented route answers with, by status: what it declared
     *  (errors(...)) and what its hooks added. The OpenAPI document describes each status
     *  from them; the tests hold both against the table. */
    errorReplies: () => Array<{ method: string, url: string, replies: ReadonlyMap<number, readonly ErrorName[]> }>
  }
}

export const DOCS_PREFIX = '/docs'
export const OPENAPI_PATH = '/openapi.json'

// The reference page's own policy: scripts and styles from this origin only. Swagger UI
// sets inline style attributes as it renders, hence 'unsafe-inline' for styles alone.
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export interface OpenApiOptions {
  readonly version: string
  readonly publicUrl: string
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

export const openApiPlugin = fp(async function openApi (app: FastifyInstance, { version, publicUrl }: OpenApiOptions) {
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
          'every error `{"message","code"}`.'
      },
      servers: [{ url: publicUrl }],
      tags: [
        { name: 'users', description: 'Accounts: sign-up, reading, changing and deleting one' },
        { name: 'sessions', description: 'Signing in and out, and who is signed in' },
        { name: 'password reset', description: 'A new password through a mailed token' },
        { name: 'account', description: 'The signed-in user\'s own account' },
        { name: 'service', description: 'The service itself' }
      ],
      components: {
        securitySchemes: {
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'session_id', description: 'The session token, as set by POST /sessions.' },
          sessionHeader: { type: 'apiKey', in: 'header', name: 'X-Session-ID', description: 'The same token as the session_id cookie.' }
        }
      }
    },
    // Components named by their $id ('Error', 'User' …) rather than def-0, def-1 …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    staticCSP: DOCS_CSP,
    uiConfig: { deepLinking: false }
  })
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())
}, { name: 'authsvc-openapi' })
