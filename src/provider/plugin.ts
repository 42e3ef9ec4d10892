// The OpenID Connect provider inside the Fastify app, its documented way (@fastify/middie
// and provider.callback()): on the same port as the rest, behind the same proxy, under
// /oidc, with discovery at /.well-known/openid-configuration (the issuer is PUBLIC_URL).
// middie is registered in a context of its own whose only routes are the provider's, so
// no other request pays for it. The library answers on the raw response: this plugin puts
// the security headers and the request id on it, and logs it as the app logs requests.
//
// The provider is built on first use with the signing keys of the moment and built again
// when they change (a rotation, or a pending key that starts signing): its key set is fixed
// at construction.
import type { IncomingMessage, ServerResponse } from 'node:http'
import middie from '@fastify/middie'
import { parse } from 'cookie'
import type { FastifyInstance } from 'fastify'
import type Provider from 'oidc-provider'
import type { JWK } from 'oidc-provider'
import type { AuthContext, Requester } from '../auth/context.js'
import { hashToken, isWellFormedSessionToken } from '../auth/tokens.js'
import type { Config } from '../config.js'
import { endSession, type ValidSession, validateSessionToken } from '../features/sessions/sessions.js'
import { findUserBySubject, subjectOf } from '../features/users/users.js'
import { requesterOf } from '../http/client-address.js'
import { clearedSessionCookie, SESSION_COOKIE } from '../http/plugins/session.js'
import { type ProviderEvent, reportProviderEvent } from './events.js'
import { PROVIDER_PREFIX, type ProviderPages, type SignIn } from './provider.js'
import { recordSessionClient } from './session-clients.js'

export interface SigningKeySource {
  /** The private keys in signing order, and a version that changes whenever they do. */
  current: () => Promise<{ readonly keys: readonly JWK[], readonly version: string }>
}

type Handler = ReturnType<Provider['callback']>

/** Builds the provider for a key set, once per key version. The hosted pages give it theirs
 *  (usePages) when the app is built, before any request. */
export class ProviderHolder {
  private built: { version: string, provider: Provider, handler: Handler } | null = null
  private building: Promise<{ provider: Provider, handler: Handler }> | null = null
  private pages: ProviderPages | null = null

  constructor (private readonly keys: SigningKeySource, private readonly build: (keys: readonly JWK[], pages: ProviderPages) => Promise<Provider>) {}

  usePages (pages: ProviderPages): void {
    this.pages = pages
  }

  async get (): Promise<{ provider: Provider, handler: Handler }> {
    const { keys, version } = await this.keys.current()
    if (this.built?.version === version) return this.built
    const pages = this.pages
    if (pages === null) throw new Error('the OpenID provider has no pages: the hosted pages plugin was not registered')
    this.building ??= Promise.resolve().then(async () => {
      const provider = await this.build(keys, pages)
      this.built = { version, provider, handler: provider.callback() }
      return this.built
    }).finally(() => { this.building = null })
    return await this.building
  }
}

/** A raw request as middie hands it on: Fastify's id and client address on it. */
type MountedRequest = IncomingMessage & { id?: string, ip?: string }

function sessionTokenOf (request: IncomingMessage): string | undefined {
  const header = request.headers.cookie
  return header === undefined ? undefined : parse(header)[SESSION_COOKIE]
}

async function sessionOf (ctx: AuthContext, request: IncomingMessage): Promise<ValidSession | null> {
  const token = sessionTokenOf(request)
  return token === undefined ? null : await validateSessionToken(ctx, token)
}

/** The session of this service whose cookie a request carries (sessions.id) and its
 *  account's subject, or null. */
export function createServiceSession (ctx: AuthContext): (request: IncomingMessage) => Promise<{ subject: string, sessionId: string } | null> {
  return async function serviceSession (request) {
    const token = sessionTokenOf(request)
    const session = token === undefined ? null : await validateSessionToken(ctx, token)
    const subject = session === null ? undefined : await subjectOf(ctx.db, session.user.id)
    return token === undefined || subject === undefined ? null : { subject, sessionId: hashToken(token) }
  }
}

function requesterOfMounted (request: MountedRequest, session: ValidSession | null = null): Requester {
  return requesterOf({ id: request.id ?? '', ip: request.ip ?? request.socket.remoteAddress ?? '', headers: request.headers, session })
}

/** Records which client the session of this service the request's cookie names signed in
 *  to, and with which sid (back-channel logout, session-clients.ts). A session that ended
 *  since the provider's login check (signed out in another tab) is recorded all the same:
 *  its row is owed a logout token at once. No session cookie, or another account's session,
 *  withholds the code (the login check makes both impossible): a client must not hold a
 *  sign-in this service could not log out. */
export function createSignInRecorder (ctx: AuthContext): (request: IncomingMessage, signIn: SignIn) => Promise<void> {
  return async function recordSignIn (request, { clientId, subject, sid }) {
    const token = sessionTokenOf(request)
    const user = await findUserBySubject(ctx.db, subject)
    if (token === undefined || !isWellFormedSessionToken(token) || user === undefined) throw new Error('an authorization code for a browser without a session here')
    const session = await validateSessionToken(ctx, token)
    if (session !== null && session.user.id !== user.id) throw new Error('an authorization code for another account than the session\'s')
    await recordSessionClient(ctx.db, { sessionId: hashToken(token), clientId, userId: user.id, sid, createdAt: ctx.now() })
  }
}

/** Ends the session of this service the request's cookie names (RP-initiated logout) when
 *  it is the account whose session of the library ended, and removes the cookie: `logout`
 *  in the audit log, as a sign-out on the pages, and `oidc.logout` naming the application. */
export function createSessionEnd (ctx: AuthContext, config: Config): (request: MountedRequest, response: ServerResponse, ended: { readonly clientId: string | null, readonly subject: string | null }) => Promise<void> {
  return async function endServiceSession (request, response, { clientId, subject }) {
    const session = await sessionOf(ctx, request)
    if (session === null || subject === null || await subjectOf(ctx.db, session.user.id) !== subject) return
    const from = requesterOfMounted(request, session)
    await endSession(ctx, session, from)
    response.appendHeader('set-cookie', clearedSessionCookie(config))
    await reportProviderEvent(ctx, { type: 'oidc.logout', subject, clientId }, from)
  }
}

/** Reports what the library did as security events (the request's client as the actor). */
export function createProviderReport (ctx: AuthContext): (request: MountedRequest, event: ProviderEvent) => Promise<void> {
  return async function report (request, event) {
    await reportProviderEvent(ctx, event, requesterOfMounted(request))
  }
}

export interface ProviderPluginOptions {
  readonly holder: ProviderHolder
  /** The headers every reply of the provider gets (the app's, with a page CSP). */
  readonly headers: Readonly<Record<string, string>>
}

export async function openIdProviderPlugin (app: FastifyInstance, { holder, headers }: ProviderPluginOptions): Promise<void> {
  await app.register(middie)
  app.use((request: IncomingMessage & { id?: string }, response: ServerResponse, next: (error?: unknown) => void) => {
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value)
    if (request.id !== undefined) response.setHeader('x-request-id', request.id)
    // Koa answers the request, errors included (a failure of ours goes to Fastify's handler).
    holder.get().then(({ handler }) => { void handler(request, response) }, next)
  })
  // The routes this context answers (the middleware above does, before any handler runs).
  const handler = async (): Promise<never> => { throw new Error('the OpenID provider did not answer') }
  // The methods the library answers (CORS preflights, dynamic registration's PUT and DELETE included).
  const method = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']
  app.route({ method, url: `${PROVIDER_PREFIX}/*`, schema: { hide: true }, handler })
  app.route({ method, url: '/.well-known/openid-configuration', schema: { hide: true }, handler })
}
