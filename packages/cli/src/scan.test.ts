import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertNoCanary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backends, buildCli, startBackends } from '../test/fixture.js'
import { projectWith, runCli } from '../test/run-cli.js'
import type { ScanReport } from './commands/scan.js'

let backends: Backends
let cwd: string

beforeAll(async () => {
  buildCli()
  backends = await startBackends()
  cwd = projectWith(backends.config)
}, 180_000)
afterAll(() => backends?.close())

const findingsOf = (stdout: string) => (JSON.parse(stdout) as ScanReport).findings

describe('latchkey scan', () => {
  it('finds current and previous values in every form, at file:line:column, and exits 1', async () => {
    const { db, dbOld, apiKey, param, vaultOld } = backends.values
    const tree = join(cwd, 'repo')
    mkdirSync(join(tree, 'logs'), { recursive: true })
    writeFileSync(join(tree, 'clean.txt'), 'nothing here\n')
    writeFileSync(
      join(tree, 'logs', 'app.log'),
      `line one\n{"msg":"login","password":${JSON.stringify(db)}}\n`,
    )
    writeFileSync(
      join(tree, 'url.txt'),
      `x\ny\ncurl -d "key=${encodeURIComponent(apiKey)}" https://h/?p=${new URLSearchParams({ p: db }).toString().slice(2)}\n`,
    )
    writeFileSync(join(tree, 'old.env'), `DB_PASSWORD=${dbOld}\nVAULT=${vaultOld}\nPARAM=${param}\n`)
    const run = await runCli(['scan', 'repo', '--json'], { cwd, env: backends.env })
    expect(run.code).toBe(1)
    const found = findingsOf(run.stdout).map(
      (f) => `${f.file}:${f.line}:${f.column} ${f.secret} ${f.form} ${f.version}`,
    )
    expect(found).toEqual(
      expect.arrayContaining([
        `repo/logs/app.log:2:${'{"msg":"login","password":"'.length + 1} app/db#password JSON string current`,
        `repo/old.env:1:13 app/db#password raw previous`,
        `repo/old.env:2:7 app/service#password raw previous`,
        `repo/old.env:3:7 /app/param raw current`,
        `repo/url.txt:3:14 app/api-key raw current`,
      ]),
    )
    // URLSearchParams writes this value as encodeURIComponent with `+` does: one text, listed under the first name
    expect(
      found.some((f) =>
        /^repo\/url\.txt:3:\d+ app\/db#password (URLSearchParams \(WHATWG form\)|encodeURIComponent, spaces as \+) current$/.test(
          f,
        ),
      ),
    ).toBe(true)
    expect(found.some((f) => f.startsWith('repo/clean.txt'))).toBe(false)
    const text = await runCli(['scan', 'repo'], { cwd, env: backends.env })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain('repo/old.env:1:13  app/db#password  raw (previous version)')
    assertNoCanary(run.stdout + run.stderr + text.stdout + text.stderr, 'scan output')
  })

  it('exits 0 on a clean tree, reads stdin with -, and skips binary files with a note', async () => {
    const tree = mkdtempSync(join(cwd, 'clean-'))
    writeFileSync(join(tree, 'a.txt'), 'no values\n')
    writeFileSync(
      join(tree, 'blob.bin'),
      Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(backends.values.apiKey)]),
    )
    const clean = await runCli(['scan', tree], { cwd, env: backends.env })
    expect(clean.code).toBe(0)
    expect(clean.stderr).toMatch(/skipped .*blob\.bin: binary file/)
    const stdin = await runCli(['scan', '-', '--json'], {
      cwd,
      env: backends.env,
      input: `a\nb ${backends.values.param}\n`,
    })
    expect(stdin.code).toBe(1)
    expect(findingsOf(stdin.stdout)).toEqual([
      { file: '<stdin>', line: 2, column: 3, secret: '/app/param', form: 'raw', version: 'current' },
    ])
    assertNoCanary(clean.stdout + clean.stderr + stdin.stdout + stdin.stderr, 'scan output')
  })

  it('ends on a symlink loop and does not follow a link out of the tree', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'latchkey-outside-'))
    writeFileSync(join(outside, 'leak.txt'), backends.values.apiKey)
    const tree = mkdtempSync(join(cwd, 'links-'))
    mkdirSync(join(tree, 'sub'))
    symlinkSync('..', join(tree, 'sub', 'up'))
    symlinkSync(join(tree, 'self'), join(tree, 'self'))
    symlinkSync(outside, join(tree, 'elsewhere'))
    symlinkSync(join(outside, 'leak.txt'), join(tree, 'leak-link.txt'))
    writeFileSync(join(tree, 'sub', 'inside.txt'), backends.values.param)
    const run = await runCli(['scan', tree, '--json'], { cwd, env: backends.env })
    const report = JSON.parse(run.stdout) as ScanReport
    expect(report.findings.map((f) => f.secret)).toEqual(['/app/param'])
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.path.split('/').pop(), s.reason]))
    expect(reasons).toMatchObject({
      up: 'symlink-loop',
      self: 'symlink-loop',
      elsewhere: 'outside-tree',
      'leak-link.txt': 'outside-tree',
    })
    expect(run.code).toBe(1)
  })

  it('scans a large tree (2,000 files, 40 MB) and finds the one value at its end', async () => {
    const tree = mkdtempSync(join(cwd, 'big-'))
    const line = `${'lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(3)}\n`
    const body = line.repeat(Math.ceil(20_000 / line.length))
    for (let d = 0; d < 20; d++) {
      mkdirSync(join(tree, `d${d}`))
      for (let f = 0; f < 100; f++) writeFileSync(join(tree, `d${d}`, `f${f}.txt`), body)
    }
    writeFileSync(join(tree, 'd19', 'f99.txt'), `${body}token=${backends.values.apiKey}\n`)
    const run = await runCli(['scan', tree, '--json', '--progress'], { cwd, env: backends.env })
    const report = JSON.parse(run.stdout) as ScanReport
    expect(report.files).toBe(2000)
    expect(report.findings).toEqual([
      expect.objectContaining({ secret: 'app/api-key', line: body.split('\n').length, column: 7 }),
    ])
    expect(run.code).toBe(1)
    assertNoCanary(run.stdout + run.stderr, 'scan output')
  })

  it('exits 3 when a secret could not be loaded and nothing was found, 2 without a path', async () => {
    backends.sm.faults.fail('accessDenied', { operation: 'GetSecretValue', times: 2 })
    const tree = mkdtempSync(join(cwd, 'partial-'))
    writeFileSync(join(tree, 'a.txt'), 'clean\n')
    const run = await runCli(['scan', tree], { cwd, env: backends.env })
    backends.sm.faults.reset()
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/not scanned for app\/api-key: access-denied/)
    expect((await runCli(['scan'], { cwd, env: backends.env })).code).toBe(2)
  })

  it('stays linear on a hostile file: one 16 MB line of near-miss prefixes, the value at its very end', async () => {
    const value = backends.values.apiKey
    const tree = mkdtempSync(join(cwd, 'hostile-'))
    // every prefix of the value but the whole, then a byte the value does not hold: a bare
    // `value.slice(0, -1)` repeated holds the value itself whenever it ends with its first character
    const nearMiss = `${value.slice(0, -1)}_`
    expect(value.includes('_')).toBe(false)
    const line = nearMiss.repeat(Math.ceil(16_000_000 / nearMiss.length))
    writeFileSync(join(tree, 'one-line.log'), `${line}${value}`)
    const run = await runCli(['scan', tree, '--json'], { cwd, env: backends.env })
    const report = JSON.parse(run.stdout) as ScanReport
    // on a thrown error the JSON report is `{ ok: false, error }`: print what the command said
    expect(report.findings, run.stderr).toEqual([
      expect.objectContaining({ secret: 'app/api-key', line: 1, column: line.length + 1 }),
    ])
    expect(run.code).toBe(1)
    assertNoCanary(run.stdout + run.stderr, 'scan output')
  })

  it('reports every one of a million findings in one file (no argument-count limit on the way out)', async () => {
    const value = backends.values.apiKey
    const tree = mkdtempSync(join(cwd, 'many-'))
    const count = 1_000_000
    writeFileSync(join(tree, 'dump.log'), `${value}\n`.repeat(count))
    const run = await runCli(['scan', tree, '--json'], { cwd, env: backends.env })
    expect(run.code, run.stderr).toBe(1)
    const report = JSON.parse(run.stdout) as ScanReport
    expect(report.findings).toHaveLength(count)
    expect(report.findings.at(-1)).toEqual(
      expect.objectContaining({ secret: 'app/api-key', line: count, column: 1 }),
    )
    assertNoCanary(run.stdout + run.stderr, 'scan output')
  }, 120_000)
})
