// The client applications of the OpenID Connect provider: `authsvc clients create | list |
// show | delete` in-process on the server's own database, and the admin API over HTTP with
// its guard (ADMIN_ALLOW, ADMIN_TOKEN). The secret is printed once and stored as its
// SHA-256 only; the redirect-URI rules refuse what they must, production included; what is
// stored is client metadata that oidc-provider itself accepts.
import assert from 'node:assert/strict'
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import os from 'node:os'
import { after, before, describe, it } from 'node:test'
import Provider from 'oidc-provider'
import { createAdapter } from '../src/provider/adapter.js'
import { findClientMetadata, hashClientSecret } from '../src/provider/clients.js'
import { runCli } from './support/cli.js'
import { TEST_DIALECT } from './support/database.js'
import { request, startServer, type TestServer } from './support/server.js'

const TOKEN = 'an-admin-token-for-the-tests-only'
const DETAIL_KEYS = ['application_type', 'backchannel_logout_uri', 'client_id', 'client_name', 'created_at', 'first_party', 'post_logout_redirect_uris', 'public', 'redirect_uris', 'token_endpoint_auth_method']

interface ClientJson {
  client_id: string
  client_secret?: string
  client_name: string
  public: boolean
  first_party: boolean
  token_endpoint_auth_method: string
  application_type: string
  redirect_uris: string[]
  post_logout_redirect_uris: string[]
  backchannel_logout_uri: string | null
  created_at: string
}

describe(`OpenID client applications on ${TEST_DIALECT}`, () => {
  let server: TestServer
  let env: Record<string, string>
  const cli = async (args: string[], extra: Record<string, string> = {}): Promise<{ code: number | null, stdout: string, stderr: string }> => await runCli(args, { ...env, ...extra })
  const json = async (args: string[]): Promise<any> => {
    const run = await cli([...args, '--json'])
    assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`)
    return JSON.parse(run.stdout)
  }
  const rowOf = async (clientId: string): Promise<Record<string, unknown> | undefined> =>
    await server.db.selectFrom('oidc_clients').selectAll().where('client_id', '=', clientId).executeTakeFirst()
  const countRows = async (): Promise<number> => (await server.db.selectFrom('oidc_clients').select('client_id').execute()).length

  before(async () => {
    server = await startServer({ ADMIN_TOKEN: TOKEN })
    env = { DATABASE_URL: server.databaseUrl, LOG_LEVEL: 'info' }
  })
  after(async () => { await server.close() })

  it('clients create prints the client_id and the secret once; the table holds the secret\'s SHA-256 only', async () => {
    const run = await cli(['clients', 'create', '--name', 'Acme Wiki', '--redirect-uri', 'https://wiki.example.com/callback'])
    assert.equal(run.code, 0, run.stderr)
    const clientId = /^client_id: +(c_[A-Za-z0-9_-]{22})$/m.exec(run.stdout)?.[1]
    const secret = /^client_secret: +([A-Za-z0-9_-]{43})$/m.exec(run.stdout)?.[1]
    assert.ok(clientId !== undefined && secret !== undefined, run.stdout)
    assert.match(run.stdout, /shown this once/)
    assert.doesNotMatch(run.stderr, new RegExp(secret), 'the log has no secret')

    const row = await rowOf(clientId)
    assert.equal(row?.secret_hash, hashClientSecret(secret))
    assert.doesNotMatch(JSON.stringify(row), new RegExp(secret), 'the secret itself is nowhere in the row')
    assert.deepEqual(JSON.parse(String(row?.metadata)), {
      redirect_uris: ['https://wiki.example.com/callback'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      application_type: 'web'
    })

    // Never again: neither the secret nor its hash is shown by show or list, text or JSON.
    const hash = hashClientSecret(secret)
    for (const args of [['clients', 'show', clientId], ['clients', 'show', clientId, '--json'], ['clients', 'list'], ['clients', 'list', '--json']]) {
      const shown = await cli(args)
      assert.equal(shown.code, 0, `${args.join(' ')}: ${shown.stderr}`)
      assert.ok(shown.stdout.includes(clientId), args.join(' '))
      assert.ok(!shown.stdout.includes(secret) && !shown.stdout.includes(hash), `${args.join(' ')} shows no secret`)
    }
    const text = await cli(['clients', 'show', clientId])
    assert.match(text.stdout, /^name: +"Acme Wiki"$/m)
    assert.match(text.stdout, /^type: +confidential \(client_secret_basic, client_secret_post\)$/m)
    assert.match(text.stdout, /^redirect URIs: +https:\/\/wiki\.example\.com\/callback$/m)
    const table = await cli(['clients', 'list'])
    assert.match(table.stdout, /^CLIENT_ID +NAME +TYPE +FIRST PARTY +CREATED +REDIRECT URIS\n/)
    assert.match(table.stdout, new RegExp(`^${clientId} +"Acme Wiki" +confidential +no +\\d{4}-[0-9T:.-]+Z +https://wiki\\.example\\.com/callback$`, 'm'))
  })

  it('--json: one document for create (the secret only there), list, show and delete', async () => {
    const created = await json(['clients', 'create', '--name', 'Billing', '--redirect-uri', 'https://billing.example.com/cb', '--redirect-uri', 'http://127.0.0.1:8080/cb',
      '--post-logout-redirect-uri', 'https://billing.example.com/bye', '--backchannel-logout-uri', 'https://billing.example.com/logout', '--first-party']) as ClientJson
    assert.deepEqual(Object.keys(created).sort(), [...DETAIL_KEYS, 'client_secret'].sort())
    assert.equal(created.token_endpoint_auth_method, 'client_secret_basic')
    assert.deepEqual([created.public, created.first_party, created.application_type], [false, true, 'web'])
    assert.deepEqual(created.redirect_uris, ['https://billing.example.com/cb', 'http://127.0.0.1:8080/cb'])
    assert.deepEqual(created.post_logout_redirect_uris, ['https://billing.example.com/bye'])
    assert.equal(created.backchannel_logout_uri, 'https://billing.example.com/logout')
    assert.equal((await rowOf(created.client_id))?.secret_hash, hashClientSecret(created.client_secret ?? ''))

    const app = await json(['clients', 'create', '--name', 'Phone app', '--public', '--redirect-uri', 'com.example.app:/oauth/cb', '--redirect-uri', 'http://127.0.0.1/cb']) as ClientJson
    assert.deepEqual(Object.keys(app).sort(), DETAIL_KEYS, 'a public client has no secret')
    assert.deepEqual([app.public, app.token_endpoint_auth_method, app.application_type, app.backchannel_logout_uri], [true, 'none', 'native', null])
    assert.equal((await rowOf(app.client_id))?.secret_hash, null)
    const spa = await json(['clients', 'create', '--name', 'Browser app', '--public', '--redirect-uri', 'https://spa.example.com/']) as ClientJson
    assert.deepEqual([spa.token_endpoint_auth_method, spa.application_type], ['none', 'web'])

    const shown = await json(['clients', 'show', created.client_id]) as ClientJson
    const { client_secret: _secret, ...withoutSecret } = created
    assert.deepEqual(shown, withoutSecret)
    const listed = (await json(['clients', 'list'])).clients as ClientJson[]
    assert.deepEqual(listed.filter(client => [created.client_id, app.client_id].includes(client.client_id)), [shown, app])

    const deleted = await json(['clients', 'delete', app.client_id])
    assert.deepEqual(deleted, { deleted: app })
    assert.equal(await rowOf(app.client_id), undefined)
  })

  it('stores client metadata that oidc-provider 9 accepts as it is', async () => {
    const confidential = await json(['clients', 'create', '--name', 'Checked', '--redirect-uri', 'https://rp.example.com/cb', '--redirect-uri', 'http://localhost:3000/cb',
      '--post-logout-redirect-uri', 'https://rp.example.com/', '--backchannel-logout-uri', 'http://127.0.0.1:9/logout', '--first-party']) as ClientJson
    const native = await json(['clients', 'create', '--name', 'Native', '--public', '--redirect-uri', 'com.example.app:/cb', '--redirect-uri', 'http://[::1]/cb',
      '--post-logout-redirect-uri', 'com.example.app:/bye']) as ClientJson
    // A key of its own: without one the library warns that it signs with development keys.
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
    const provider = new Provider('http://localhost:5000', {
      adapter: createAdapter(server.db, Date.now),
      jwks: { keys: [{ ...key, kid: 'test', use: 'sig', alg: 'RS256' }] },
      features: { devInteractions: { enabled: false }, backchannelLogout: { enabled: true } },
      extraClientMetadata: { properties: ['first_party'] },
      clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none']
    })
    const found = await provider.Client.find(confidential.client_id)
    assert.ok(found !== undefined)
    assert.deepEqual([found.clientName, found.tokenEndpointAuthMethod, found.applicationType, found.backchannelLogoutSessionRequired],
      ['Checked', 'client_secret_basic', 'web', true])
    assert.deepEqual(found.redirectUris, confidential.redirect_uris)
    assert.deepEqual(found.metadata().first_party, true)
    assert.equal(found.clientSecret, (await findClientMetadata(server.db, confidential.client_id))?.client_secret, 'the provider holds the hash')
    const app = await provider.Client.find(native.client_id)
    assert.deepEqual([app?.tokenEndpointAuthMethod, app?.applicationType, app?.clientSecret, app?.metadata().first_party], ['none', 'native', undefined, false])
    assert.deepEqual(app?.postLogoutRedirectUris, ['com.example.app:/bye'])
    assert.equal(await provider.Client.find('c_nosuchclient'), undefined)
    // Not a client_id at all: no query (PostgreSQL would refuse the NUL with an error).
    for (const id of ['c_\u0000', 'x'.repeat(65), 'c_ü', '']) assert.equal(await findClientMetadata(server.db, id), undefined, JSON.stringify(id))
  })

  it('refuses the URIs and names the rules forbid, with exit code 2 and the option named, and writes nothing', async () => {
    const before = await countRows()
    const refused: Array<[string[], RegExp]> = [
      [['--redirect-uri', 'http://app.example.com/cb'], /--redirect-uri: "http:\/\/app\.example\.com\/cb" uses http on a host that is not a loopback address/],
      [['--redirect-uri', 'http://127.0.0.2.example.com/cb'], /--redirect-uri: .* not a loopback address/],
      [['--redirect-uri', 'com.example.app:/cb'], /--redirect-uri: "com\.example\.app:\/cb" uses the custom scheme com\.example\.app: custom schemes are for public \(native\) clients only/],
      [['--redirect-uri', 'https://app.example.com/cb#top'], /--redirect-uri: .* has a fragment/],
      [['--redirect-uri', '/cb'], /--redirect-uri: "\/cb" is not an absolute URL/],
      [['--redirect-uri', 'https://user:pw@app.example.com/cb'], /holds a user name or password/],
      [['--redirect-uri', 'https://app.example.com/cb', '--redirect-uri', 'https://app.example.com/cb'], /is listed twice/],
      [['--redirect-uri', 'https://app.example.com/cb', '--post-logout-redirect-uri', 'http://app.example.com/'], /--post-logout-redirect-uri: .* not a loopback address/],
      [['--redirect-uri', 'https://app.example.com/cb', '--backchannel-logout-uri', 'http://app.example.com/logout'], /--backchannel-logout-uri: .* not a loopback address/],
      [['--redirect-uri', 'https://app.example.com/cb', '--backchannel-logout-uri', 'com.example.app:/logout', '--public'], /--backchannel-logout-uri: .* only https is allowed here/],
      [['--public', '--redirect-uri', 'javascript:alert(1)'], /--redirect-uri: .* a custom scheme must be a reversed domain name/],
      [['--public', '--redirect-uri', 'com.example.app:/cb', '--redirect-uri', 'https://localhost/cb'], /native client/]
    ]
    for (const [options, message] of refused) {
      const run = await cli(['clients', 'create', '--name', 'Refused', ...options])
      assert.equal(run.code, 2, `${options.join(' ')}: ${run.stdout}${run.stderr}`)
      assert.match(run.stderr, /^clients create: /, options.join(' '))
      assert.match(run.stderr, message, options.join(' '))
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line: ${run.stderr}`)
    }
    for (const [name, message] of [['x'.repeat(101), /--name must be at most 100 characters/], ['   ', /--name is required/], ['two\nlines', /--name must not contain control characters/]] as const) {
      const run = await cli(['clients', 'create', '--name', name, '--redirect-uri', 'https://app.example.com/cb'])
      assert.deepEqual([run.code, message.test(run.stderr)], [2, true], run.stderr)
    }
    for (const [args, message] of [[['clients', 'create', '--redirect-uri', 'https://a.example/cb'], /needs --name/], [['clients', 'create', '--name', 'N'], /at least one --redirect-uri/],
      [['clients', 'show'], /takes one client_id/], [['clients', 'rename', 'x'], /unknown command: clients rename/], [['clients', 'create', '--name', 'N', '--colour', 'red'], /colour/]] as const) {
      const run = await cli([...args])
      assert.equal(run.code, 2, args.join(' '))
      assert.match(run.stderr, message)
    }
    assert.equal(await countRows(), before, 'nothing was written')
    const ok = await json(['clients', 'create', '--name', 'x'.repeat(100), '--redirect-uri', 'http://[::1]:1234/cb', '--redirect-uri', 'http://localhost/cb'])
    assert.equal(ok.client_name.length, 100)
  })

  it('refuses loopback http in production, where https alone is allowed', async () => {
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', SMTP_URL: 'smtp://127.0.0.1:1', ENCRYPTION_KEY: randomBytes(32).toString('base64') }
    for (const options of [['--redirect-uri', 'http://127.0.0.1:8080/cb'], ['--public', '--redirect-uri', 'http://localhost/cb'],
      ['--redirect-uri', 'https://app.example.com/cb', '--backchannel-logout-uri', 'http://127.0.0.1/logout']]) {
      const run = await cli(['clients', 'create', '--name', 'Prod', ...options], production)
      assert.equal(run.code, 2, `${options.join(' ')}: ${run.stderr}`)
      assert.match(run.stderr, /loopback http URIs are refused in production \(NODE_ENV=production\)/)
    }
    const run = await cli(['clients', 'create', '--name', 'Prod', '--redirect-uri', 'https://app.example.com/cb', '--json'], production)
    assert.equal(run.code, 0, run.stderr)
    assert.equal(JSON.parse(run.stdout).redirect_uris[0], 'https://app.example.com/cb')
  })

  it('show and delete: exit code 2 for no such client; each create and delete is in the audit log with the operator, and no secret', async () => {
    for (const args of [['clients', 'show', 'c_nosuchclient'], ['clients', 'delete', 'c_nosuchclient']]) {
      const run = await cli(args)
      assert.equal(run.code, 2, args.join(' '))
      assert.match(run.stderr, /^clients (show|delete): no client with client_id "c_nosuchclient"\n$/)
    }
    const created = await json(['clients', 'create', '--name', 'Audited', '--redirect-uri', 'https://audited.example.com/cb']) as ClientJson
    const deleted = await cli(['clients', 'delete', created.client_id])
    assert.deepEqual([deleted.code, deleted.stdout], [0, `deleted client ${created.client_id} ("Audited")\n`])
    assert.equal((await cli(['clients', 'show', created.client_id])).code, 2, 'gone')

    const operator = os.userInfo().username
    const events = (await json(['events', '--since', '1h', '--limit', '1000'])).events as Array<{ type: string, user_id: number | null, details: Record<string, unknown> }>
    const mine = events.filter(event => event.details.client_id === created.client_id)
    assert.deepEqual(mine.map(event => [event.type, event.user_id]), [['oidc.client_deleted', null], ['oidc.client_created', null]])
    assert.deepEqual(mine[1]?.details, { client_id: created.client_id, name: 'Audited', public: false, first_party: false, via: 'cli', operator })
    assert.ok(!JSON.stringify(events).includes(created.client_secret ?? '-'), 'no secret in the audit log')
  })

  describe('the admin API', () => {
    const bearer = { authorization: `Bearer ${TOKEN}` }
    const body = { name: 'Over HTTP', redirect_uris: ['https://http.example.com/cb'], post_logout_redirect_uris: ['https://http.example.com/'], first_party: true }

    it('registers, lists, shows and removes clients for the bearer of ADMIN_TOKEN: the secret once, hashed in the table', async () => {
      const created = await request(server, 'POST', '/admin/clients', body, { encoding: 'json', headers: bearer })
      assert.equal(created.status, 201, created.text)
      const client = created.body as ClientJson
      assert.deepEqual(Object.keys(client).sort(), [...DETAIL_KEYS, 'client_secret'].sort())
      assert.deepEqual([client.client_name, client.first_party, client.public, client.token_endpoint_auth_method], ['Over HTTP', true, false, 'client_secret_basic'])
      assert.equal((await rowOf(client.client_id))?.secret_hash, hashClientSecret(client.client_secret ?? ''))

      const shown = await request(server, 'GET', `/admin/clients/${client.client_id}`, undefined, { headers: bearer })
      const { client_secret: secret, ...withoutSecret } = client
      assert.deepEqual([shown.status, shown.body], [200, withoutSecret])
      const listed = await request(server, 'GET', '/admin/clients', undefined, { headers: bearer })
      assert.equal(listed.status, 200)
      assert.deepEqual(listed.body.clients.find((c: ClientJson) => c.client_id === client.client_id), withoutSecret)
      assert.ok(!listed.text.includes(secret ?? '-') && !listed.text.includes(hashClientSecret(secret ?? '')), 'never the secret or its hash')

      const app = await request(server, 'POST', '/admin/clients', { name: 'Public', public: true, redirect_uris: ['com.example.mobile:/cb'] }, { encoding: 'json', headers: bearer })
      assert.deepEqual([app.status, app.body.client_secret, app.body.token_endpoint_auth_method, app.body.application_type], [201, undefined, 'none', 'native'])

      const removed = await request(server, 'DELETE', `/admin/clients/${client.client_id}`, undefined, { headers: bearer })
      assert.deepEqual([removed.status, removed.text], [204, ''])
      for (const method of ['GET', 'DELETE']) {
        const gone = await request(server, method, `/admin/clients/${client.client_id}`, undefined, { headers: bearer })
        assert.deepEqual([gone.status, gone.body], [404, { message: `no client with client_id "${client.client_id}"`, code: 'not_found' }], method)
        // Not an id at all (a NUL PostgreSQL would refuse, too long for the column): no such client either.
        for (const id of ['%00', 'x'.repeat(90), '%C3%BC']) {
          const none = await request(server, method, `/admin/clients/${id}`, undefined, { headers: bearer })
          assert.deepEqual([none.status, none.body.code], [404, 'not_found'], `${method} ${id.slice(0, 10)}`)
        }
      }
      const events = (await json(['events', '--type', 'oidc.client_created', '--since', '1h', '--limit', '1000'])).events as Array<{ ip: string | null, details: Record<string, unknown> }>
      assert.equal(events.find(event => event.details.client_id === client.client_id)?.ip, '127.0.0.1', 'the API\'s caller is the actor')
    })

    it('answers an address of ADMIN_ALLOW without a token (loopback by default)', async () => {
      const listed = await request(server, 'GET', '/admin/clients')
      assert.equal(listed.status, 200)
      assert.ok(Array.isArray(listed.body.clients))
    })

    it('asks for the token when the request came through a proxy that TRUST_PROXY does not trust: its loopback address is the proxy\'s', async () => {
      for (const header of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }, { 'x-real-ip': '203.0.113.9' }] as Array<Record<string, string>>) {
        assert.equal((await request(server, 'GET', '/admin/clients', undefined, { headers: header })).status, 404, JSON.stringify(header))
        assert.equal((await request(server, 'GET', '/admin/clients', undefined, { headers: { ...header, ...bearer } })).status, 200, JSON.stringify(header))
      }
    })

    it('answers bad bodies with 400 and a code naming the field', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ redirect_uris: ['https://a.example/cb'] }, /^name is required$/],
        [{ name: 'N' }, /^redirect_uris is required$/],
        [{ name: 'N', redirect_uris: 'https://a.example/cb' }, /^redirect_uris must be a array$/],
        [{ name: 'N', redirect_uris: [] }, /^redirect_uris: at least 1 URI is required$/],
        [{ name: 'N', redirect_uris: ['http://a.example/cb'] }, /^redirect_uris: "http:\/\/a\.example\/cb" uses http on a host that is not a loopback address/],
        [{ name: 'N', redirect_uris: ['com.example.app:/cb'] }, /^redirect_uris: .* custom schemes are for public \(native\) clients only/],
        [{ name: 'N', redirect_uris: ['https://a.example/cb'], backchannel_logout_uri: 'ftp://a.example/' }, /^backchannel_logout_uri: /],
        [{ name: 'N', redirect_uris: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) }, /^redirect_uris: at most 20 URIs$/],
        [{ name: '', redirect_uris: ['https://a.example/cb'] }, /^name is required/],
        [{ name: 'N', redirect_uris: ['https://a.example/cb'], public: 'yes' }, /^public must be a boolean$/],
        [{ name: 'N', redirect_uris: ['https://a.example/cb'], client_secret: 'mine' }, /^client_secret cannot be set here/]
      ]
      const before = await countRows()
      for (const [sent, message] of cases) {
        const reply = await request(server, 'POST', '/admin/clients', sent, { encoding: 'json', headers: bearer })
        assert.deepEqual([reply.status, reply.body?.code], [400, 'invalid_field'], `${JSON.stringify(sent)}: ${reply.text}`)
        assert.match(reply.body.message, message, JSON.stringify(sent))
      }
      assert.equal(await countRows(), before, 'nothing was written')
    })

    it('refuses a cross-site browser request even from an allowed address', async () => {
      const reply = await request(server, 'POST', '/admin/clients', body, { encoding: 'json', headers: { origin: 'https://evil.example' } })
      assert.deepEqual([reply.status, reply.body.code], [403, 'forbidden'])
    })
  })

  describe('the admin API outside ADMIN_ALLOW', () => {
    let guarded: TestServer
    before(async () => { guarded = await startServer({ ADMIN_ALLOW: '10.0.0.0/8,2001:db8::/32', ADMIN_TOKEN: TOKEN, TRUST_PROXY: 'true' }) })
    after(async () => { await guarded.close() })

    it('is a 404 without the token, as for a path that does not exist, whatever the body', async () => {
      const missing = await request(guarded, 'GET', '/no-such-path')
      assert.equal(missing.status, 404)
      const attempts: Array<[string, string, Record<string, unknown> | undefined, Record<string, string>]> = [
        ['GET', '/admin/clients', undefined, {}],
        ['POST', '/admin/clients', { name: 'N', redirect_uris: ['https://a.example/cb'] }, {}],
        ['POST', '/admin/clients', { not: 'valid' }, {}],
        ['GET', '/admin/clients/c_x', undefined, {}],
        ['DELETE', '/admin/clients/c_x', undefined, {}],
        ['GET', '/admin/clients', undefined, { authorization: `Bearer ${TOKEN}x` }],
        ['GET', '/admin/clients', undefined, { authorization: TOKEN }],
        ['GET', '/admin/clients', undefined, { 'x-forwarded-for': '192.0.2.1' }]
      ]
      for (const [method, path, sent, headers] of attempts) {
        const reply = await request(guarded, method, path, sent, { encoding: 'json', headers })
        assert.deepEqual([reply.status, reply.body], [missing.status, missing.body], `${method} ${path} ${JSON.stringify(headers)}`)
      }
      assert.equal(await guarded.db.selectFrom('oidc_clients').select('client_id').executeTakeFirst(), undefined, 'nothing was written')
    })

    it('answers the bearer of ADMIN_TOKEN, and a client whose address (through the proxy) is in ADMIN_ALLOW', async () => {
      const created = await request(guarded, 'POST', '/admin/clients', { name: 'Token', redirect_uris: ['https://t.example/cb'] }, { encoding: 'json', headers: { authorization: `Bearer ${TOKEN}` } })
      assert.equal(created.status, 201, created.text)
      for (const address of ['10.1.2.3', '2001:db8::7']) {
        const listed = await request(guarded, 'GET', '/admin/clients', undefined, { headers: { 'x-forwarded-for': address } })
        assert.equal(listed.status, 200, address)
        assert.deepEqual(listed.body.clients.map((client: ClientJson) => client.client_id), [created.body.client_id])
      }
    })
  })
})
