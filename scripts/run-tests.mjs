#!/usr/bin/env node
/**
 * Runs every vitest project once, then:
 * - fails when any canary secret value (see @latchkey/test-support) shows up anywhere in the run's output;
 * - ends with one line `N passed, M failed`.
 * Extra arguments go to vitest (e.g. a project filter: `--project core`).
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const CANARY_MARK = JSON.parse(
  readFileSync(join(root, 'test-support', 'src', 'canary-mark.json'), 'utf8'),
).mark
const resultsFile = join(root, '.tmp', 'test-results.json')
mkdirSync(dirname(resultsFile), { recursive: true })

const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs')
const child = spawn(
  process.execPath,
  [
    vitest,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${resultsFile}`,
    ...process.argv.slice(2),
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0' },
  },
)
let output = ''
child.stdout.on('data', (chunk) => {
  output += chunk
  process.stdout.write(chunk)
})
child.stderr.on('data', (chunk) => {
  output += chunk
  process.stderr.write(chunk)
})
child.on('close', (code) => {
  let passed = 0
  let failed = 0
  try {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'))
    passed = results.numPassedTests
    failed =
      results.numFailedTests + (results.numFailedTestSuites > 0 && results.numFailedTests === 0 ? 1 : 0)
    const skipped = results.numPendingTests + results.numTodoTests
    if (skipped > 0) {
      console.error(`\nlatchkey: ${skipped} skipped or todo test(s); every test must run`)
      failed += skipped
    }
  } catch {
    failed += 1
  }
  if (output.includes(CANARY_MARK)) {
    console.error('\nlatchkey: a canary secret value appeared in the test output — a secret leaked')
    failed += 1
  }
  if (code !== 0 && failed === 0) failed = 1
  console.log(`\n${passed} passed, ${failed} failed`)
  process.exit(failed === 0 ? 0 : 1)
})
