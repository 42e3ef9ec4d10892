// COMPAT=course: the course project's own end-to-end flow (its main.py: register, wrong
// password, profile without a session, login, profile, logout, reset token, update
// password, login), step by step as it asserts, against the service in that mode.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { loadConfig } from '../src/config.js'
import { sessionCookie, startServer, type TestServer } from './support/server.js'

const EMAIL = 'guillaume@holberton.io'
const PASSWD = 'b4l0u'
const NEW_PASSWD = 't4rt1fl3tt3'

describe('COMPAT=course', () => {
  let server: TestServer
  before(async () => { server = await startServer({ COMPAT: 'course' }) })
  after(async () => { await server.close() })

  // As Python's requests sends them: form bodies, the cookie by name, and a 302 followed
  // with a GET whatever the method was (requests' rebuild_method; fetch would keep DELETE).
  interface Answer { status: number, headers: Headers, followedRedirect: boolean, json: () => Promise<any> }
  async function call (method: string, path: string, form?: Record<string, string>, sessionId?: string): Promise<Answer> {
    const reply = await fetch(server.url + path, {
      method,
      redirect: 'manual',
      body: form === undefined ? undefined : new URLSearchParams(form),
      headers: sessionId === undefined ? {} : { cookie: `session_id=${sessionId}` }
    })
    const location = reply.headers.get('location')
    const answer = (response: Response, followedRedirect: boolean): Answer =>
      ({ status: response.status, headers: response.headers, followedRedirect, json: async () => await response.json() })
    if (reply.status !== 302 || location === null) return answer(reply, false)
    const followed = await fetch(new URL(location, server.url), { headers: sessionId === undefined ? {} : { cookie: `session_id=${sessionId}` } })
    return answer(followed, true)
  }

  it('passes the course\'s end-to-end script unchanged', async () => {
    const registered = await call('POST', '/users', { email: EMAIL, password: PASSWD })
    assert.equal(registered.status, 200, 'a 5-character password: no policy in this mode')
    assert.deepEqual(await registered.json(), { email: EMAIL, message: 'user created' })

    assert.equal((await call('POST', '/sessions', { email: EMAIL, password: NEW_PASSWD })).status, 401)
    assert.equal((await call('GET', '/profile')).status, 403)

    const login = await call('POST', '/sessions', { email: EMAIL, password: PASSWD })
    assert.equal(login.status, 200)
    assert.deepEqual(await login.json(), { email: EMAIL, message: 'logged in' })
    const sessionId = sessionCookie({ status: login.status, headers: login.headers, text: '', body: undefined })

    const profile = await call('GET', '/profile', undefined, sessionId)
    assert.equal(profile.status, 200)
    assert.equal((await profile.json()).email, EMAIL)

    const logout = await call('DELETE', '/sessions', undefined, sessionId)
    assert.equal(logout.status, 200, 'the redirect to / was followed')
    assert.equal(logout.followedRedirect, true)
    assert.deepEqual(await logout.json(), { message: 'Bienvenue' })
    assert.equal((await call('GET', '/profile', undefined, sessionId)).status, 403, 'the session is gone')

    const reset = await call('POST', '/reset_password', { email: EMAIL })
    assert.equal(reset.status, 200)
    const { reset_token: resetToken, email } = await reset.json()
    assert.equal(email, EMAIL)
    assert.equal(typeof resetToken, 'string')

    const updated = await call('PUT', '/reset_password', { email: EMAIL, reset_token: resetToken, new_password: NEW_PASSWD })
    assert.equal(updated.status, 200)
    assert.deepEqual(await updated.json(), { email: EMAIL, message: 'Password updated' })

    assert.equal((await call('POST', '/sessions', { email: EMAIL, password: NEW_PASSWD })).status, 200)
  })

  it('DELETE /sessions answers 302 Location: / and clears the cookie', async () => {
    await call('POST', '/users', { email: 'redirect@example.com', password: 'x' })
    const login = await call('POST', '/sessions', { email: 'redirect@example.com', password: 'x' })
    const sessionId = sessionCookie({ status: login.status, headers: login.headers, text: '', body: undefined })
    const logout = await fetch(`${server.url}/sessions`, { method: 'DELETE', redirect: 'manual', headers: { cookie: `session_id=${sessionId}` } })
    assert.equal(logout.status, 302)
    assert.equal(logout.headers.get('location'), '/')
    assert.match(logout.headers.get('set-cookie') ?? '', /session_id=;.*Max-Age=0/i)
  })

  it('an unknown email asks for a reset token with 403, as in the course', async () => {
    assert.equal((await call('POST', '/reset_password', { email: 'nobody@example.com' })).status, 403)
  })

  it('is one setting, refused in production; a variable set explicitly still wins', () => {
    const course = loadConfig({ COMPAT: 'course' })
    assert.deepEqual([course.compat, course.resetToken.inResponse, course.passwordPolicy.minLength, course.passwordPolicy.blockCommon], ['course', true, 1, false])
    assert.equal(loadConfig({ COMPAT: 'course', PASSWORD_MIN_LENGTH: '8' }).passwordPolicy.minLength, 8)
    assert.equal(loadConfig({}).compat, null)
    assert.throws(() => loadConfig({ COMPAT: 'course', NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com', PUBLIC_URL: 'https://auth.example.com' }), /COMPAT=course is refused in production/)
    assert.throws(() => loadConfig({ COMPAT: 'flask' }), /COMPAT must be one of none, course/)
  })
})
