// OpenID Connect load driver, run as its own process: `node --import tsx bench/oidc-load.ts
// '<json options>'` prints one JSON Summary. `code`: each of `connections` loops signs in an
// application again and again — the authorization request with the browser's cookies (the
// person already signed in: single sign-on), the redirect to the callback, the code
// exchanged at the token endpoint; one loop iteration is one request counted. `refresh`:
// each loop holds a refresh token and trades it for the next one (they rotate).
import { createHash, randomBytes } from 'node:crypto'

interface Options {
  url: string
  workload: 'code' | 'refresh'
  seconds: number
  connections: number
  clientId: string
  secret: string
  redirectUri: string
  authorizationPath: string
  tokenPath: string
  /** The browser's cookies to start with (a session of the service), if any. */
  cookie?: string
}

interface Summary { requests: number, rps: number, p50: number, p99: number, errors: number, statuses: Record<string, number> }

const options = JSON.parse(process.argv[2] ?? '{}') as Options
const basic = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.secret)}`).toString('base64')}`

class Jar {
  private readonly cookies = new Map<string, string>()
  constructor (initial?: string) {
    for (const pair of (initial ?? '').split('; ').filter(Boolean)) {
      const at = pair.indexOf('=')
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }

  take (response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';')
      const at = pair.indexOf('=')
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1))
    }
  }

  header (): string { return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
}

/** The path and query of a URL, sent to the service (whatever host the provider wrote). */
const local = (url: string): string => { const parsed = new URL(url, options.url); return `${options.url}${parsed.pathname}${parsed.search}` }

/** The browser's part: from the authorization request to the callback's code. */
async function authorize (jar: Jar, extra: Record<string, string> = {}): Promise<{ code: string, verifier: string }> {
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: options.redirectUri,
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...extra
  })
  let next = `${options.url}${options.authorizationPath}?${query.toString()}`
  for (let hops = 0; hops < 12; hops += 1) {
    const response = await fetch(next, { headers: { cookie: jar.header() }, redirect: 'manual' })
    jar.take(response)
    await response.arrayBuffer()
    const location = response.headers.get('location') ?? /^0;url=(.+)$/.exec(response.headers.get('refresh') ?? '')?.[1]
    if (location === undefined || location === null) throw new Error(`${next} answered ${response.status} without a way on`)
    if (location.startsWith(options.redirectUri)) {
      const code = new URL(location).searchParams.get('code')
      if (code === null) throw new Error(`the callback has no code: ${location}`)
      return { code, verifier }
    }
    next = local(location)
  }
  throw new Error('too many redirects')
}

async function token (body: Record<string, string>): Promise<Record<string, string>> {
  const response = await fetch(`${options.url}${options.tokenPath}`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString() })
  const reply = await response.json() as Record<string, string>
  if (response.status !== 200) throw new Error(`token endpoint: ${response.status} ${JSON.stringify(reply)}`)
  return reply
}

const exchange = async (jar: Jar): Promise<void> => {
  const { code, verifier } = await authorize(jar)
  await token({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, code_verifier: verifier })
}

async function main (): Promise<Summary> {
  const latencies: number[] = []
  let errors = 0
  // Each loop's setup (its first sign-in, its first refresh token) is not measured.
  const loops = await Promise.all(Array.from({ length: options.connections }, async () => {
    const jar = new Jar(options.cookie)
    if (options.workload === 'code') {
      await exchange(jar)
      return async () => { await exchange(jar) }
    }
    const { code, verifier } = await authorize(jar, { scope: 'openid offline_access', prompt: 'consent' })
    let refresh = (await token({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, code_verifier: verifier })).refresh_token ?? ''
    return async () => { refresh = (await token({ grant_type: 'refresh_token', refresh_token: refresh })).refresh_token ?? '' }
  }))
  const started = Date.now()
  const deadline = started + options.seconds * 1000
  await Promise.all(loops.map(async step => {
    while (Date.now() < deadline) {
      const begun = performance.now()
      try {
        await step()
        latencies.push(performance.now() - begun)
      } catch {
        errors += 1
      }
    }
  }))
  const elapsed = (Date.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN)
  return { requests: latencies.length, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors, statuses: {} }
}

process.stdout.write(JSON.stringify({ main: await main() }) + '\n')
