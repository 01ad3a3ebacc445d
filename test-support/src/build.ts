import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** pnpm 10: the project-local copy `npm test` installs, or the one on `PATH`. */
function pnpm(): string {
  const local = join(root, '.tmp', 'tools', 'node_modules', '.bin', 'pnpm')
  return existsSync(local) ? local : 'pnpm'
}

/** When the shipped source of `packages/<name>` last changed (tests excluded). */
function newestSource(name: string): number {
  const dir = join(root, 'packages', name, 'src')
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.test-d.ts'),
  )
  return Math.max(...files.map((file) => statSync(join(dir, file)).mtimeMs))
}

/**
 * Builds `@latchkey/<name>` for each of `names` whose `dist/<file>` is missing or older than its
 * source, so a test of the built output never runs against a stale build. Fails naming the
 * command to run when the build fails.
 */
export function ensureBuilt(names: readonly string[], file = 'index.js'): void {
  const stale = names.filter((name) => {
    const built = join(root, 'packages', name, 'dist', file)
    return !existsSync(built) || statSync(built).mtimeMs < newestSource(name)
  })
  if (stale.length === 0) return
  const filters = stale.flatMap((name) => ['--filter', `@latchkey/${name}`])
  try {
    execFileSync(pnpm(), [...filters, 'build'], { cwd: root, stdio: 'pipe', timeout: 120_000 })
  } catch (error) {
    throw new Error(
      `this test needs the built ${stale.map((name) => `@latchkey/${name}`).join(' and ')}; building failed ` +
        `(run \`pnpm ${filters.join(' ')} build\`): ${(error as Error).message}`,
    )
  }
}

/** Type-checks the project `tsconfig` with the repository's TypeScript: '' when it passes, else tsc's report. */
export function typeErrors(tsconfig: string): string {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  try {
    execFileSync(process.execPath, [tsc, '-p', tsconfig], { cwd: root, stdio: 'pipe', timeout: 120_000 })
    return ''
  } catch (error) {
    const failed = error as { stdout?: Buffer; stderr?: Buffer }
    return `${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`
  }
}
