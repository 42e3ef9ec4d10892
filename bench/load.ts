// Load driver, run as its own process so the load does not share the service's event
// loop: `node --import tsx bench/load.ts '<json options>'` runs the workload once and
// prints one JSON result. Warm-up and repeated runs are bench/run.ts's (inTurns).
import autocannon from 'autocannon'

interface Options {
  url: string
  workload: 'get' | 'profile' | 'profile-header' | 'login' | 'register' | 'storm'
  seconds: number
  token?: string
  email?: string
  password?: string
}

interface Summary { requests: number, rps: number, p50: number, p99: number, errors: number, statuses: Record<string, number> }

function summarize (result: autocannon.Result): Summary {
  const statuses: Record<string, number> = {}
  for (const key of ['1xx', '2xx', '3xx', '4xx', '5xx'] as const) {
    const n = (result as unknown as Record<string, number>)[key] ?? 0
    if (n > 0) statuses[key] = n
  }
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    statuses
  }
}

function run (opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => { if (err !== null && err !== undefined) reject(err instanceof Error ? err : new Error(String(err))); else resolve(result) })
  })
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options
const form = 'application/x-www-form-urlencoded'
const profile = (header: boolean): autocannon.Options => ({
  url: `${options.url}/profile`,
  connections: 64,
  duration: options.seconds,
  headers: header ? { 'x-session-id': options.token ?? '' } : { cookie: `session_id=${options.token ?? ''}` }
})
const login: autocannon.Options = {
  url: `${options.url}/sessions`,
  connections: 8,
  duration: options.seconds,
  method: 'POST',
  headers: { 'content-type': form },
  body: new URLSearchParams({ email: options.email ?? '', password: options.password ?? '' }).toString()
}
let registered = 0
const register: autocannon.Options = {
  url: `${options.url}/users`,
  connections: 8,
  duration: options.seconds,
  method: 'POST',
  headers: { 'content-type': form },
  requests: [{
    setupRequest: (request) => {
      registered += 1
      return { ...request, body: new URLSearchParams({ email: `bench-${process.pid}-${registered}@example.com`, password: 'bench password long enough' }).toString() }
    }
  }]
}

let output: Record<string, Summary>
switch (options.workload) {
  case 'get': output = { main: summarize(await run({ url: options.url, connections: 64, duration: options.seconds })) }; break
  case 'profile': output = { main: summarize(await run(profile(false))) }; break
  case 'profile-header': output = { main: summarize(await run(profile(true))) }; break
  case 'login': output = { main: summarize(await run(login)) }; break
  case 'register': output = { main: summarize(await run(register)) }; break
  case 'storm': {
    const [main, flood] = await Promise.all([run(profile(false)), run(login)])
    output = { main: summarize(main), flood: summarize(flood) }
    break
  }
}
process.stdout.write(JSON.stringify(output) + '\n')
