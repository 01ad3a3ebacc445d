/**
 * Builds keep names: every class and function each built entry (dist/*.cjs and dist/*.js of every
 * package) exports reports its own `.name`, and a CommonJS Nest app whose preload fails logs the
 * real class names (not `_class13`, the name a class-field lowering pass gives an anonymous class).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBuilt, runNode } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const names = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)

interface Entry {
  subpath: string
  require: string
  import: string
}

function entriesOf(name: string): Entry[] {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
  return Object.entries<{ import?: { default: string }; require?: { default: string } }>(pkg.exports)
    .filter(([, target]) => typeof target === 'object' && target.import && target.require)
    .map(([subpath, target]) => ({
      subpath,
      require: join(root, 'packages', name, target.require?.default as string),
      import: join(root, 'packages', name, target.import?.default as string),
    }))
}

/** Each exported function's export key, `.name`, and the `.name` of every class it extends. */
const LIST_NAMES = `
  const rows = []
  for (const [key, value] of Object.entries(m)) {
    if (typeof value !== 'function') continue
    const chain = []
    for (let c = Object.getPrototypeOf(value); typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.push(c.name)
    rows.push({ key, name: value.name, chain, aliasOf: key === 'default' ? Object.keys(m).find((k) => k !== 'default' && m[k] === value) ?? null : null })
  }
  console.log(JSON.stringify(rows))
`

interface Row {
  key: string
  name: string
  chain: string[]
  aliasOf: string | null
}

function exportedNames(file: string, format: 'cjs' | 'esm'): Row[] {
  const script =
    format === 'cjs'
      ? `const m = require(${JSON.stringify(file)});${LIST_NAMES}`
      : `const m = await import(${JSON.stringify(`file://${file}`)});${LIST_NAMES}`
  const args = format === 'cjs' ? ['-e', script] : ['--input-type=module', '-e', script]
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', timeout: 60_000 }))
}

const LOWERED = /^_class\d*$|^_\w+\d+$/

describe.each(names)('@latchkey/%s built entries keep every exported name', (name) => {
  beforeAll(() => {
    ensureBuilt([name], 'index.cjs')
    ensureBuilt([name], 'index.js')
  }, 180_000)

  for (const format of ['cjs', 'esm'] as const) {
    it(`${format}: each class and function's .name is its export name, its base classes too`, () => {
      for (const entry of entriesOf(name)) {
        const rows = exportedNames(format === 'cjs' ? entry.require : entry.import, format)
        expect(rows.length, `${entry.subpath} exports functions`).toBeGreaterThan(0)
        for (const row of rows) {
          const expected = row.key === 'default' ? row.aliasOf : row.key
          expect(expected, `${entry.subpath} default export is one of the named exports`).not.toBeNull()
          expect(row.name, `${entry.subpath} ${row.key}`).toBe(expected)
          for (const base of row.chain)
            expect(base, `${entry.subpath} ${row.key} extends`).not.toMatch(LOWERED)
        }
      }
    })
  }
})

describe('a CommonJS Nest 11 app whose preload fails', () => {
  beforeAll(() => ensureBuilt(['core', 'nestjs', 'pino'], 'index.cjs'), 180_000)

  it("logs the real class names through Nest's logger, pino and util.inspect", async () => {
    const fixture = join(import.meta.dirname, 'fixtures', 'cjs-failing-preload.cjs')
    const { code, stdout, stderr } = await runNode([fixture], {
      cwd: import.meta.dirname,
      env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    })
    expect(code).toBe(1)
    expect(`${stdout}\n${stderr}`).not.toMatch(/_class\d*/)

    // Nest's ExceptionHandler line and the stack frames it prints.
    expect(stderr).toMatch(
      /ERROR \[ExceptionHandler\] SecretPreloadError: failed to load 2 secrets: api\/key \(ERR_SECRET_NOT_FOUND\), db\/password \(ERR_SECRET_NOT_FOUND\)/,
    )
    expect(stderr).toContain('SecretNotFoundError: secret "api/key" (source memory) was not found')
    expect(stderr).toMatch(/at MemorySource\.load \(.*packages\/core\/dist\/index\.cjs:/)

    const lines = stdout.trim().split('\n')
    const logged = JSON.parse(lines.find((l) => l.startsWith('{')) as string)
    expect(logged.err.type).toBe('SecretPreloadError')
    expect(logged.err.code).toBe('ERR_SECRET_PRELOAD')
    expect(logged.err.aggregateErrors.map((e: { type: string }) => e.type)).toEqual([
      'SecretNotFoundError',
      'SecretNotFoundError',
    ])

    const printed = JSON.parse((lines.find((l) => l.startsWith('names ')) as string).slice('names '.length))
    expect(printed).toEqual({
      error: 'SecretPreloadError',
      constructor: 'SecretPreloadError',
      causes: [
        ['SecretNotFoundError', 'SecretNotFoundError', 'ERR_SECRET_NOT_FOUND'],
        ['SecretNotFoundError', 'SecretNotFoundError', 'ERR_SECRET_NOT_FOUND'],
      ],
      inspected: expect.stringMatching(/^SecretPreloadError: failed to load 2 secrets/),
      text: expect.stringMatching(/^SecretPreloadError: failed to load 2 secrets/),
    })
  })
})
