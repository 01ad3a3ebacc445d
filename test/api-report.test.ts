/**
 * The public TYPES of every package entry are a reviewed report, like the runtime names in
 * `exports.test.ts`: `scripts/api-report.mjs` prints each entry's declarations from the built
 * `dist/` (run `pnpm build` first), and this test fails, naming the entry, when the report checked
 * in at `packages/<name>/api/<entry>.api.md` differs. A changed option type or a removed interface
 * is then always part of a reviewed diff: run `pnpm run api:update` and commit the reports.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const script = join(root, 'scripts', 'api-report.mjs')

interface ReportRow {
  name: string
  entry: string
  file: string
  actual: string
  expected?: string
}

/** Generated once, in a child `node` as CI runs the script, for every package at once. */
function generate(): { rows: ReportRow[]; stale: string[] } {
  const out = execFileSync(process.execPath, [script, '--json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 170_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return JSON.parse(out)
}

describe('public type reports (packages/<name>/api/*.api.md)', () => {
  it('match what the current dist/ declares, for every entry of every package', { timeout: 180_000 }, () => {
    const { rows, stale } = generate()
    const packages = readdirSync(join(root, 'packages')).filter((n) =>
      existsSync(join(root, 'packages', n, 'package.json')),
    )
    for (const name of packages) {
      const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
      const entries = Object.keys(pkg.exports ?? {}).filter((e) => e !== './package.json')
      expect(
        rows.filter((r) => r.name === name).map((r) => r.entry),
        `@latchkey/${name}: one report per package.json exports entry`,
      ).toEqual(entries)
    }
    for (const row of rows) {
      const where = `@latchkey/${row.name}${row.entry.slice(1)}: ${row.file}`
      expect(row.expected, `${where} is missing: run \`pnpm run api:update\` and review it`).toBeTypeOf(
        'string',
      )
      expect(
        row.actual,
        `${where} differs from the built dist/ (diff below: - the checked-in report, + the current build). If the change is deliberate, run \`pnpm run api:update\` and commit the report; if stale, \`pnpm build\``,
      ).toBe(row.expected)
    }
    expect(stale, 'reports without a package.json exports entry: run `pnpm run api:update`').toEqual([])
  })

  it('names every exported symbol of an entry with its declaration', () => {
    const report = readFileSync(join(root, 'packages', 'core', 'api', 'internal.api.md'), 'utf8')
    expect(report).toMatch(/^# API report: @latchkey\/core\/internal$/m)
    expect(report).toMatch(/### resolveProvider\n\n```ts\ndeclare function resolveProvider\(/)
    expect(report, 'no bundler chunk aliases or hashed chunk names leak into a report').not.toMatch(
      /\benv-[\w-]{8}\b|\$\d+\b/,
    )
  })
})
