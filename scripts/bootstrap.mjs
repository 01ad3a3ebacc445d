#!/usr/bin/env node
/**
 * One entry point for a fresh clone with only Node.js 20+ and npm:
 *   node scripts/bootstrap.mjs setup|demo|test|bench [args…]
 * It makes pnpm available (a project-local copy when none is on PATH), installs the workspace
 * from the lockfile, builds every package, then runs the task.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const PNPM_VERSION = '10.34.9'
const localTools = join(root, '.tmp', 'tools')
const env = {
  ...process.env,
  TURBO_TELEMETRY_DISABLED: '1',
  DO_NOT_TRACK: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

function must(command, args, options) {
  const status = run(command, args, options)
  if (status !== 0) {
    console.error(`\nlatchkey: \`${command} ${args.join(' ')}\` failed with exit code ${status}`)
    process.exit(status)
  }
}

function pnpmOnPath() {
  const probe = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env })
  return probe.status === 0 && probe.stdout.trim().startsWith('10.')
}

function ensurePnpm() {
  if (pnpmOnPath()) return
  const bin = join(localTools, 'node_modules', '.bin')
  if (!existsSync(join(bin, 'pnpm'))) {
    console.log(`latchkey: installing pnpm ${PNPM_VERSION} into .tmp/tools (no global install needed)`)
    must('npm', [
      'install',
      '--prefix',
      localTools,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `pnpm@${PNPM_VERSION}`,
    ])
  }
  env.PATH = `${bin}${process.platform === 'win32' ? ';' : ':'}${env.PATH}`
}

function setup() {
  ensurePnpm()
  must('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--reporter=append-only'])
  must('pnpm', ['run', 'build'])
}

const [task = 'setup', ...rest] = process.argv.slice(2)
setup()
switch (task) {
  case 'setup':
    break
  case 'demo':
    process.exit(run('pnpm', ['--filter', '@latchkey/example-rotation-demo', 'run', 'start', ...rest]))
    break
  case 'test':
    process.exit(run('node', [join(root, 'scripts', 'run-tests.mjs'), ...rest]))
    break
  case 'bench':
    process.exit(run('pnpm', ['--filter', '@latchkey/bench', 'run', 'bench', ...rest]))
    break
  default:
    console.error(`latchkey: unknown task "${task}" (use setup, demo, test or bench)`)
    process.exit(2)
}
