#!/usr/bin/env node
/**
 * Runs the whole suite (scripts/run-tests.mjs) once per Node.js line, one line after another (two
 * cores do not fit two suites at once): the machine's own Node.js first, then each of NODE_LINES
 * from the npm registry (skipped when it is the machine's major). Each run's `PATH` starts with its
 * Node.js, so child processes the tests start run on the same line. Prints one row per line and, as
 * the very last line, the sum over all lines: `N passed, M failed`. Any failed line fails the run.
 * `--with-install-lines` also runs scripts/install-lines.mjs on each line (its checks count in the
 * sum; the packages are packed once, on the first line, into a directory every line reuses, and
 * each line checks two packages at a time); `--failed-steps=<k>` adds k failed CI steps that ran
 * before (lint, type-check…) to the sum, so the last line stays honest; `--ci-started=<unix
 * seconds>` prints the CI wall time since then just before that line. Other arguments go to every suite run (e.g. `--project core`).
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { NODE_LINES, nodeBinary } from './node-lines.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SUMMARY = /^(\d+) passed, (\d+) failed$/

function runScript(node, script, args) {
  return new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(node, [join(root, 'scripts', script), ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH}` },
    })
    // The summary is the last non-empty line of the whole output, however the chunks split it.
    let tail = ''
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk)
      tail = `${tail}${chunk}`.slice(-4096)
    })
    child.on('close', (code) => {
      const last =
        tail
          .split('\n')
          .filter((l) => l.trim() !== '')
          .at(-1) ?? ''
      const match = SUMMARY.exec(last.trim())
      resolve({
        passed: match ? Number(match[1]) : 0,
        failed: match ? Number(match[2]) : 1,
        code,
        minutes: (Date.now() - started) / 60_000,
      })
    })
  })
}

const flags = process.argv.slice(2)
const withInstallLines = flags.includes('--with-install-lines')
const failedSteps = Number(
  /^--failed-steps=(\d+)$/.exec(flags.find((f) => f.startsWith('--failed-steps=')) ?? '')?.[1] ?? 0,
)
const args = flags.filter(
  (f) => f !== '--with-install-lines' && !f.startsWith('--failed-steps=') && !f.startsWith('--ci-started='),
)
const machineMajor = Number(process.versions.node.split('.')[0])
const rows = []
const record = (label, what, result) => {
  const failed = result.code !== 0 && result.failed === 0 ? 1 : result.failed
  rows.push({ label, what, ...result, failed })
}
const lines = [{ label: `${process.version} (machine)`, node: process.execPath }]
for (const major of NODE_LINES) {
  if (major === machineMajor) continue
  const started = Date.now()
  try {
    const node = nodeBinary(root, major)
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
    lines.push({ label: version || `${major}`, node })
  } catch (error) {
    console.error(`latchkey: ${error.message}`)
    record(`${major}`, 'binary from the npm registry', {
      passed: 0,
      failed: 1,
      code: 1,
      minutes: (Date.now() - started) / 60_000,
    })
  }
}

// The tarballs are the same on every line: the first install-line run packs them, the others reuse them.
const tarballs = withInstallLines ? mkdtempSync(join(tmpdir(), 'latchkey-tarballs-')) : undefined
for (const line of lines) {
  console.log(`\n== tests on Node.js ${line.label}`)
  record(line.label, 'suite', await runScript(line.node, 'run-tests.mjs', args))
  if (withInstallLines) {
    console.log(`\n== README install lines on Node.js ${line.label}`)
    record(
      line.label,
      'install lines',
      await runScript(line.node, 'install-lines.mjs', [`--tarballs=${tarballs}`]),
    )
  }
}
if (tarballs !== undefined) rmSync(tarballs, { recursive: true, force: true })

console.log('\n== Node.js matrix')
for (const row of rows) {
  console.log(
    `Node.js ${row.label} ${row.what}: ${row.passed} passed, ${row.failed} failed in ${row.minutes.toFixed(1)} min`,
  )
}
if (failedSteps > 0) console.log(`earlier CI steps: ${failedSteps} failed`)
const ciStarted = Number(
  /^--ci-started=(\d+)$/.exec(flags.find((f) => f.startsWith('--ci-started=')) ?? '')?.[1] ?? 0,
)
if (ciStarted > 0) {
  console.log(`CI wall time: ${((Date.now() / 1000 - ciStarted) / 60).toFixed(1)} min`)
}
const passed = rows.reduce((sum, row) => sum + row.passed, 0)
const failed = rows.reduce((sum, row) => sum + row.failed, 0) + failedSteps
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
