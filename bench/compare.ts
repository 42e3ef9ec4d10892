// `node --import tsx bench/compare.ts <old tree> [<new tree>] [--rounds=6] [--seconds=4]
//  [--workloads=profile,login] [--database=sqlite|postgres]`: the service of two built trees
// (each with dist/cli.js; the new one defaults to this one) taking turns under the same
// load, old and new alternately, so that a change is judged against the code before it
// on the same machine in the same minutes. Prints each workload's median req/s, p99 and
// peak RSS for both, and new ÷ old.
import path from 'node:path'
import { type Database, inTurns, load, log, PASSWORD, peakRssMb, postgresDatabase, type Running, serve, signIn, sqliteDatabase, type Summary } from './support.js'

function option (name: string, fallback: string): string {
  const arg = process.argv.find(a => a.startsWith(`--${name}=`))
  return arg === undefined ? fallback : arg.slice(name.length + 3)
}

const [oldRoot, newRoot = '.'] = process.argv.slice(2).filter(arg => !arg.startsWith('--'))
if (oldRoot === undefined) {
  log('usage: node --import tsx bench/compare.ts <old tree> [<new tree>] [--rounds=6] [--seconds=4] [--workloads=profile,login] [--database=sqlite|postgres]')
  process.exit(2)
}
const rounds = Number(option('rounds', '6'))
const seconds = Number(option('seconds', '4'))
const workloads = option('workloads', 'profile,login').split(',')
const kind = option('database', 'sqlite')

async function database (): Promise<Database> {
  if (kind === 'sqlite') return sqliteDatabase()
  const created = await postgresDatabase()
  if (created === null) throw new Error('no PostgreSQL database could be created')
  return created
}

interface Side { readonly name: string, readonly service: Running, readonly db: Database, readonly token: string, readonly email: string }

async function side (name: string, root: string): Promise<Side> {
  const db = await database()
  const service = await serve(db.url, path.resolve(root))
  const email = `compare-${name}@example.com`
  return { name, service, db, token: await signIn(service.url, email), email }
}

const sides = [await side('old', oldRoot), await side('new', newRoot)]
const measure = (s: Side, workload: string) => async (runSeconds: number): Promise<Summary> =>
  (await load(s.service.url, workload, { seconds: runSeconds, token: s.token, email: s.email, password: PASSWORD })).main as Summary
try {
  log(`${kind}: ${workloads.join(', ')}; ${rounds} rounds of ${seconds} s, old and new in turns`)
  console.log('| workload | old req/s | new req/s | new ÷ old | old p99 ms | new p99 ms |')
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const workload of workloads) {
    const turns = await inTurns(Object.fromEntries(sides.map(s => [s.name, measure(s, workload)])), { rounds, seconds, warmUpSeconds: 2 })
    const [before, after] = [turns.old as Summary, turns.new as Summary]
    console.log(`| ${workload} | ${before.rps.toFixed(0)} | ${after.rps.toFixed(0)} | ${(after.rps / before.rps).toFixed(2)} | ${before.p99} | ${after.p99} |`)
  }
  console.log(`\npeak RSS: old ${peakRssMb(sides[0]?.service.child.pid as number).toFixed(1)} MB, new ${peakRssMb(sides[1]?.service.child.pid as number).toFixed(1)} MB`)
} finally {
  for (const s of sides) {
    await s.service.stop()
    await s.db.drop()
  }
}
