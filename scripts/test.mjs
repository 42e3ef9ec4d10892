#!/usr/bin/env node
// `npm test`: type-checks and builds dist/, then runs the suite once per database. SQLite
// always; PostgreSQL when TEST_POSTGRES_URL is set, MySQL/MariaDB when TEST_MYSQL_URL is
// set; TEST_DATABASE=sqlite, or a list (postgres,mysql), runs those passes only. Tests that
// start the CLI start the compiled dist/cli.js (the path `npm start` takes). Files that
// never touch the test database (they name none of startServer, createTestDatabase,
// TEST_DIALECT) run in the first pass only: a second run would test the same thing
// (TEST_DATABASE_FILES_ONLY=true: in none). The SQLite pass runs first; the PostgreSQL and
// MySQL passes run side by side. TEST_BUILD=false skips the build and type checks (CI's
// later passes: its first `npm test` made dist/). The summary counts passed, failed,
// skipped (tests and whole suites: scripts/tap-summary.mjs) and cancelled tests, and names
// what was skipped and why.
// Under CI=true a database CI cannot use, or any skipped or cancelled test or suite, is a failure.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { runPassed, summarizeTap } from './tap-summary.mjs'
import { createTemplate } from './test-template.mjs'

const DATABASES = [
  { name: 'sqlite', label: 'SQLite' },
  { name: 'postgres', label: 'PostgreSQL', variable: 'TEST_POSTGRES_URL', example: 'postgres://postgres@127.0.0.1:5432/postgres' },
  { name: 'mysql', label: 'MySQL/MariaDB', variable: 'TEST_MYSQL_URL', example: 'mysql://root@127.0.0.1:3306/test' }
]
// No single test may take longer: a hang is a failure with a name, not a stuck CI.
const TEST_TIMEOUT_MS = 120_000
// Test files at once, per pass. Most of a file's time is spent waiting (HTTP round trips,
// databases, Chromium, child processes), so a 2-core machine runs three well; two passes
// side by side (PostgreSQL and MariaDB) run two each. More starves the timing-sensitive
// tests (equal-time sign-in failures, the per-file limit).
const concurrencyOf = sideBySide => Number(process.env.TEST_CONCURRENCY ?? (sideBySide ? 2 : 3))
const only = process.env.TEST_DATABASE === undefined || process.env.TEST_DATABASE === '' ? undefined : process.env.TEST_DATABASE.split(',').map(name => name.trim())
for (const name of only ?? []) {
  if (!DATABASES.some(database => database.name === name)) {
    console.error(`TEST_DATABASE names ${JSON.stringify(name)}: sqlite, postgres or mysql, or a list of them (postgres,mysql)`)
    process.exit(1)
  }
}
const inCi = process.env.CI === 'true' || process.env.CI === '1'

/** Runs a command; its output is printed as it comes (live) or kept and returned whole. */
function run (command, args, env = {}, live = true) {
  return new Promise(resolve => {
    let output = ''
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', live ? 'inherit' : 'pipe'] })
    child.stdout.on('data', chunk => { output += chunk; if (live) process.stdout.write(chunk) })
    child.stderr?.on('data', chunk => { output += chunk })
    child.on('close', code => { resolve({ code, output }) })
  })
}

async function suite (label, heading, files, env, live = true, concurrency = concurrencyOf(false)) {
  if (live) console.log(`\n# ---- ${heading} ----`)
  // Test servers start on copies of one migrated database (scripts/test-template.mjs).
  let template
  try {
    template = await createTemplate(env.TEST_DATABASE)
  } catch (error) {
    console.error(`# ${label}: could not make the migrated template database: ${error.stack ?? error}`)
    return { label, code: 1, passed: 0, failed: 1, skipped: 0, cancelled: 0, todo: 0, skips: [], note: 'no template database' }
  }
  // The TAP reporter by name: it is what summarizeTap() reads, on every Node.js version
  // (the default reporter differs between versions and terminals). The cluster test puts
  // its own load through nginx and counts every failed request: it runs after the others,
  // alone, so that their load is not its.
  const runFiles = (some, concurrency) => run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', `--test-timeout=${TEST_TIMEOUT_MS}`, `--test-concurrency=${concurrency}`, ...some], { ...env, TEST_TEMPLATE_DATABASE: template.value }, live)
  const alone = files.filter(file => file.startsWith('test/cluster'))
  const runs = []
  try {
    runs.push(await runFiles(files.filter(file => !alone.includes(file)), concurrency))
    if (alone.length > 0) runs.push(await runFiles(alone, 1))
  } finally {
    await template.drop()
  }
  const output = runs.map(one => one.output).join('\n')
  if (!live) console.log(`\n# ---- ${heading} ----\n${output}`)
  const summaries = runs.map(one => summarizeTap(one.output))
  const sum = key => summaries.reduce((total, one) => total + one[key], 0)
  return {
    label,
    code: runs.find(one => one.code !== 0)?.code ?? 0,
    passed: sum('passed'),
    failed: sum('failed'),
    skipped: sum('skipped'),
    cancelled: sum('cancelled'),
    todo: sum('todo'),
    skips: summaries.flatMap(one => one.skips)
  }
}

// The build type-checks src/ as it compiles it; test/ and bench/ are checked alone.
// The three at once: each is mostly one thread.
const projects = process.env.TEST_BUILD === 'false' ? [] : ['.', 'test', 'bench']
const checks = await Promise.all(projects.map(project => run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, ...(project === '.' ? [] : ['--noEmit'])])))
projects.forEach((project, index) => {
  if (checks[index]?.code !== 0) {
    console.error(project === '.' ? 'npm run build failed' : `type check of ${project}/ failed`)
    process.exit(1)
  }
})

// The system tests run in the first pass only: the browser flows (Chromium; the pages
// call the domain functions that every pass tests through the API, and pages.test.ts
// checks them over HTTP on every database) and the cluster (nginx, PostgreSQL and Redis,
// whatever the pass's database). TEST_SYSTEM=false leaves them out (CI's Node 22 and 24
// passes); the summary says so.
const withSystem = process.env.TEST_SYSTEM !== 'false'
const isSystemTest = file => /^test\/(?:browser|cluster)/.test(file)
const files = readdirSync('test').filter(file => file.endsWith('.test.ts')).sort().map(file => `test/${file}`)
  .filter(file => withSystem || !isSystemTest(file))
const usesDatabase = file => !isSystemTest(file) && /\b(?:startServer|createTestDatabase|TEST_DIALECT)\b/.test(readFileSync(file, 'utf8'))
const results = []
const notRun = []
const passes = []
for (const database of DATABASES) {
  if (only !== undefined && !only.includes(database.name)) continue
  if (database.variable !== undefined && !process.env[database.variable]) {
    if (inCi) results.push({ label: database.label, code: 1, passed: 0, failed: 1, skipped: 0, cancelled: 0, todo: 0, skips: [], note: `${database.variable} is not set` })
    else notRun.push(database)
    continue
  }
  passes.push(database)
}
// The first pass runs every file, the others the files that touch the database. SQLite's
// pass runs alone, its output live. The PostgreSQL and MariaDB passes run side by side, each
// printed whole when it ends (live when alone): they mostly wait on their servers, so
// together they take little longer than one.
const env = database => ({ TEST_DATABASE: database.name, AUTHSVC_CLI: 'dist' })
// TEST_DATABASE_FILES_ONLY=true leaves the others out of the first pass too (CI's later
// passes: its first `npm test` ran them).
const databaseFilesOnly = process.env.TEST_DATABASE_FILES_ONLY === 'true'
const filesOf = database => database === passes[0] && !databaseFilesOnly ? files : files.filter(usesDatabase)
const alone = passes.filter(database => database.name === 'sqlite')
const sideBySide = passes.filter(database => database.name !== 'sqlite')
for (const database of alone) results.push(await suite(database.label, `test suite on ${database.label}`, filesOf(database), env(database)))
results.push(...await Promise.all(sideBySide.map(database =>
  suite(database.label, `test suite on ${database.label}`, filesOf(database), env(database), sideBySide.length === 1, concurrencyOf(sideBySide.length > 1)))))

console.log('\n# ---- summary ----')
for (const { label, passed, failed, skipped, cancelled, todo, code, note } of results) {
  const extra = [skipped > 0 ? `${skipped} skipped` : '', todo > 0 ? `${todo} todo` : '', cancelled > 0 ? `${cancelled} cancelled` : '', code !== 0 && failed === 0 ? `runner exit code ${code}` : '', note ?? ''].filter(Boolean)
  console.log(`# ${label}: ${passed} passed, ${failed} failed${extra.length > 0 ? ` (${extra.join('; ')})` : ''}`)
}
for (const { label, skips } of results) {
  for (const { name, reason } of skips) console.log(`# SKIPPED on ${label}: ${name}${reason === '' ? '' : ` (${reason})`}`)
}
if (!withSystem) console.log('# NOT RUN the system tests (test/browser*.test.ts, test/cluster*.test.ts): TEST_SYSTEM=false')
if (databaseFilesOnly) console.log(`# NOT RUN the files that never touch the test database (${files.filter(file => !usesDatabase(file) && !isSystemTest(file)).join(', ')}): TEST_DATABASE_FILES_ONLY=true`)
for (const database of notRun) {
  console.log(`# NOT RUN ${database.label}: ${database.variable} is not set; to run the suite on it too: ${database.variable}=${database.example} npm test`)
}
const total = key => results.reduce((sum, r) => sum + r[key], 0)
const ok = runPassed(results, inCi)
const notDone = total('skipped') + total('cancelled') + total('todo')
if (inCi && notDone > 0) console.log(`# under CI=true, ${notDone} skipped, cancelled or todo tests and suites count as failures`)
console.log(`total: ${total('passed')} passed, ${ok ? total('failed') : Math.max(total('failed'), 1)} failed, ${total('skipped')} skipped, ${total('cancelled')} cancelled`)
// exitCode, not exit(): a pass's output is printed whole, and on a pipe (CI) what does not
// fit the pipe's buffer is written after console.log returns; exit() would drop it.
process.exitCode = ok ? 0 : 1
