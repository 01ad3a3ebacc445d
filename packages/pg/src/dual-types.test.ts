import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'

const PACKAGE = '@latchkey/pg'
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const coreDir = fileURLToPath(new URL('../../core/', import.meta.url))
const fixture = fileURLToPath(new URL('../test-fixtures/dual-types/tsconfig.json', import.meta.url))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')

function newestSource(dir: string): number {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.test-d.ts'),
  )
  return Math.max(...files.map((file) => statSync(`${dir}/${file}`).mtimeMs))
}

/** The fixture type-checks the built .d.ts and .d.cts; build them when missing or older than the source. */
function ensureBuilt(): void {
  const stale = [
    { dir: coreDir, name: '@latchkey/core' },
    { dir: packageDir, name: PACKAGE },
  ].filter(({ dir }) => {
    const types = `${dir}dist/index.d.cts`
    return !existsSync(types) || statSync(types).mtimeMs < newestSource(`${dir}src`)
  })
  if (stale.length === 0) return
  const filters = stale.flatMap(({ name }) => ['--filter', name])
  execFileSync('pnpm', [...filters, 'build'], { cwd: packageDir, stdio: 'pipe', timeout: 120_000 })
}

describe('a program that loads both the ESM and the CommonJS build', () => {
  beforeAll(ensureBuilt, 180_000)

  it('type-checks: a provider of either build fits each build (no TS2322), and merged declarations agree (no TS2717)', () => {
    let output = ''
    try {
      execFileSync(process.execPath, [tsc, '-p', fixture], {
        cwd: packageDir,
        stdio: 'pipe',
        timeout: 120_000,
      })
    } catch (error) {
      const failed = error as { stdout?: Buffer; stderr?: Buffer }
      output = `${failed.stdout?.toString() ?? ''}${failed.stderr?.toString() ?? ''}`
    }
    expect(output).toBe('')
  })
})
