// What a run of `node --test --test-reporter=tap` came to, read from its TAP output
// (scripts/test.mjs prints it; test/suite-summary.test.ts checks it on a fixture).
//
// Node's own `# skipped N` line counts skipped tests only: a suite skipped as a whole
// (`describe(name, { skip: 'no server' }, …)`, as the cluster suite does without
// PostgreSQL) is reported as `ok 7 - name # SKIP no server` and counted nowhere. So the
// skips are counted here from the result lines, at any depth, tests and suites alike.
// A test named "… # SKIP …" is no skip: TAP escapes a "#" in a name as "\#".

const RESULT = /^\s*(not ok|ok) \d+ - (.*)$/
// The directive: an unescaped "#", SKIP, then the reason if any (TAP 13's "# SKIP reason").
const SKIP = /(?:^|[^\\])# SKIP(?:\s+(.*))?$/i

/** The last `# <word> N` line of the reporter's closing summary; 0 when there is none. */
function total (output, word) {
  const matches = [...output.matchAll(new RegExp(`^# ${word} (\\d+)$`, 'gm'))]
  return matches.length === 0 ? 0 : Number(matches[matches.length - 1][1])
}

/**
 * The totals of one run: passed, failed, cancelled and todo as the reporter counted them,
 * and `skipped`, the tests and suites skipped (each with its name and reason in `skips`).
 * @param {string} output the run's TAP
 */
export function summarizeTap (output) {
  const skips = []
  for (const line of output.split('\n')) {
    const result = RESULT.exec(line)
    if (result === null || result[1] !== 'ok') continue
    const skip = SKIP.exec(result[2])
    if (skip === null) continue
    const name = result[2].slice(0, skip.index + (skip[0].startsWith('#') ? 0 : 1)).trim()
    skips.push({ name: name.replace(/\\#/g, '#'), reason: skip[1]?.trim() ?? '' })
  }
  return {
    passed: total(output, 'pass'),
    failed: total(output, 'fail'),
    cancelled: total(output, 'cancelled'),
    todo: total(output, 'todo'),
    skipped: skips.length,
    skips
  }
}

/**
 * Whether the run passed: every pass ran and exited 0 with no failure, and under CI no
 * test or suite was skipped, cancelled or left to do.
 * @param {Array<{ code: number | null, failed: number, skipped: number, cancelled: number, todo: number }>} results
 * @param {boolean} inCi
 */
export function runPassed (results, inCi) {
  if (results.length === 0 || !results.every(r => r.code === 0 && r.failed === 0)) return false
  return !inCi || results.every(r => r.skipped + r.cancelled + r.todo === 0)
}
