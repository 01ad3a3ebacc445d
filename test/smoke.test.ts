/**
 * ESM and CommonJS import smoke tests against the built packages (dist/), the way an app loads them:
 * a fresh `node` process per package and module system.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const names = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)

function node(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: import.meta.dirname,
    encoding: 'utf8',
    timeout: 60_000,
  }).trim()
}

describe.each(names)('@latchkey/%s', (name) => {
  it('is built', () => {
    expect(existsSync(join(root, 'packages', name, 'dist', 'index.js')), 'run `pnpm build` first').toBe(true)
    expect(existsSync(join(root, 'packages', name, 'dist', 'index.cjs'))).toBe(true)
  })

  it('imports from ESM and requires from CommonJS with the same exports', () => {
    const esm = node([
      '--input-type=module',
      '-e',
      `const m = await import('@latchkey/${name}'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`,
    ])
    const cjs = node(['-e', `console.log(JSON.stringify(Object.keys(require('@latchkey/${name}')).sort()))`])
    const esmKeys = JSON.parse(esm) as string[]
    expect(esmKeys.length).toBeGreaterThan(0)
    expect(JSON.parse(cjs)).toEqual(expect.arrayContaining(esmKeys))
  })
})

describe('dual loading', () => {
  it('keeps error classes and providers recognisable across an ESM and a CJS copy of core in one process', () => {
    const out = node([
      '--input-type=module',
      '-e',
      [
        "import { createRequire } from 'node:module'",
        "const esm = await import('@latchkey/core')",
        'const cjs = createRequire(import.meta.url)("@latchkey/core")',
        'const fromCjs = new cjs.SecretNotFoundError({ secretName: "x" })',
        'const provider = new cjs.CachedSecretProvider(new cjs.MemorySource({ a: "value-123" }))',
        'console.log(JSON.stringify({',
        '  sameModule: esm.SecretError === cjs.SecretError,',
        '  base: fromCjs instanceof esm.SecretError,',
        '  exact: fromCjs instanceof esm.SecretNotFoundError,',
        '  other: fromCjs instanceof esm.SecretUnavailableError,',
        '  provider: esm.isCachedSecretProvider(provider),',
        '}))',
      ].join('\n'),
    ])
    expect(JSON.parse(out)).toEqual({
      sameModule: false,
      base: true,
      exact: true,
      other: false,
      provider: true,
    })
  })
})
