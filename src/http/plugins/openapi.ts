// The OpenAPI 3.1 document, made by @fastify/swagger from the same TypeBox schemas that
// validate the requests and serialize the replies, at GET /openapi.json; and an API
// reference rendered from it by @fastify/swagger-ui at GET /docs, every asset served from
// this origin (no CDN, no online validator). Shared schemas become named components.
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { addErrorReply } from '../route-hooks.js'
import { SHARED_SCHEMAS } from '../schemas.js'

export const DOCS_PREFIX = '/docs'
export const OPENAPI_PATH = '/openapi.json'

// The reference page's own policy: scripts and styles from this origin only. Swagger UI
// sets inline style attributes as it renders, hence 'unsafe-inline' for styles alone.
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

export interface OpenApiOptions {
  readonly version: string
  readonly publicUrl: string
}

// Every body is parsed by these two, on every route that takes one.
const BODY_TYPES = ['application/json', 'application/x-www-form-urlencoded']

export const openApiPlugin = fp(async function openApi (app: FastifyInstance, { version, publicUrl }: OpenApiOptions) {
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  // What every route with a body may answer before its handler runs.
  app.addHook('onRoute', route => {
    if (route.schema?.body === undefined) return
    route.schema.consumes ??= BODY_TYPES
    for (const status of [400, 413, 415]) addErrorReply(route, status)
  })
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
