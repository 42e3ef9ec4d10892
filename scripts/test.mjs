#!/usr/bin/env node
// `npm test`: type-checks, then runs the whole suite once per database. SQLite always;
// PostgreSQL when TEST_POSTGRES_URL is set, MySQL/MariaDB when TEST_MYSQL_URL is set.
// Under CI=true both are required: a database CI cannot use is a failure, not a skip.
import { spawn } from 'node:child_process'
import { readdirSync } from 'node:fs'

const DATABASES = [
  { name: 'sqlite', label: 'SQLite' },
  { name: 'postgres', label: 'PostgreSQL', variable: 'TEST_POSTGRES_URL', example: 'postgres://postgres@127.0.0.1:5432/postgres' },
  { name: 'mysql', label: 'MySQL/MariaDB', variable: 'TEST_MYSQL_URL', example: 'mysql://root@127.0.0.1:3306/test' }
]
const only = process.env.TEST_DATABASE
const inCi = process.env.CI === 'true' || process.env.CI === '1'

function run (command, args, env = {}) {
  return new Promise(resolve => {
    let output = ''
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
    child.stdout.on('data', chunk => { output += chunk; process.stdout.write(chunk) })
    child.on('close', code => { resolve({ code, output }) })
  })
}

function count (output, word) {
  const matches = [...output.matchAll(new RegExp(`^# ${word} (\\d+)$`, 'gm'))]
  return matches.length === 0 ? 0 : Number(matches[matches.length - 1][1])
}

const typecheck = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test', '--noEmit'])
const typecheckBench = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'bench', '--noEmit'])
if (typecheck.code !== 0 || typecheckBench.code !== 0) {
  console.error('type check failed')
  process.exit(1)
}

const files = readdirSync('test').filter(file => file.endsWith('.test.ts')).sort().map(file => `test/${file}`)
const results = []
const skipped = []
for (const database of DATABASES) {
  if (only !== undefined && only !== database.name) continue
  if (database.variable !== undefined && !process.env[database.variable]) {
    if (inCi) {
      results.push({ database, passed: 0, failed: 1, code: 1, note: `${database.variable} is not set` })
    } else {
      skipped.push(database)
    }
    continue
  }
  console.log(`\n# ---- test suite on ${database.label} ----`)
  const { code, output } = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { TEST_DATABASE: database.name })
  results.push({ database, passed: count(output, 'pass'), failed: count(output, 'fail'), code })
}

console.log('\n# ---- summary ----')
for (const { database, passed, failed, code, note } of results) {
  console.log(`# ${database.label}: ${passed} passed, ${failed} failed${code !== 0 && failed === 0 ? ` (runner exit code ${code})` : ''}${note ? ` — ${note}` : ''}`)
}
for (const database of skipped) {
  console.log(`# SKIPPED ${database.label}: ${database.variable} is not set; to run the suite on it too: ${database.variable}=${database.example} npm test`)
}
const passed = results.reduce((sum, r) => sum + r.passed, 0)
const failed = results.reduce((sum, r) => sum + r.failed, 0)
const ok = results.length > 0 && results.every(r => r.code === 0 && r.failed === 0)
console.log(`total: ${passed} passed, ${ok ? failed : Math.max(failed, 1)} failed`)
process.exit(ok ? 0 : 1)
