import { assertNoCanary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backends, buildCli, startBackends } from '../test/fixture.js'
import { projectWith, runCli } from '../test/run-cli.js'

let backends: Backends

beforeAll(async () => {
  buildCli()
  backends = await startBackends()
}, 180_000)
afterAll(() => backends?.close())

describe('latchkey check (the built bin in a child process, against the emulators)', () => {
  it('loads every secret through its real source and exits 0, printing no value', async () => {
    const cwd = projectWith(backends.config)
    const run = await runCli(['check'], { cwd, env: backends.env })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^ok\s+app\/db#password/m)
    expect(run.stdout).toMatch(/^ok\s+app\/service#password .*version 2/m)
    expect(run.stdout).toContain('4 of 4 secrets loaded')
    assertNoCanary(run.stdout + run.stderr, 'check output')
  })

  it('--json: one stable object per secret with status, version and code', async () => {
    const cwd = projectWith(backends.config)
    const run = await runCli(['check', '--json'], { cwd, env: backends.env })
    expect(run.code).toBe(0)
    const report = JSON.parse(run.stdout)
    expect(report.ok).toBe(true)
    expect(report.secrets.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['app/db#password', 'ok'],
      ['app/api-key', 'ok'],
      ['/app/param', 'ok'],
      ['app/service#password', 'ok'],
    ])
    const db = report.secrets[0]
    expect(Object.keys(db).sort()).toEqual([
      'ageSeconds',
      'code',
      'loadMs',
      'missingPermission',
      'name',
      'source',
      'sourceType',
      'status',
      'version',
    ])
    expect(db.version).toBe(
      Object.keys(backends.sm.versions('app/db')).find((v) =>
        backends.sm.versions('app/db')[v]?.includes('AWSCURRENT'),
      ),
    )
    expect(report.secrets[2].version).toBe('1')
    // ages where the backend says when the value was created (Secrets Manager, Vault KV v2); the
    // fixture wrote them moments ago; the Parameter Store source reports none
    for (const index of [0, 1, 3]) {
      expect(report.secrets[index].ageSeconds).toBeGreaterThanOrEqual(0)
      expect(report.secrets[index].ageSeconds).toBeLessThan(600)
    }
    expect(report.secrets[2].ageSeconds).toBeNull()
    assertNoCanary(run.stdout + run.stderr, 'check --json output')
  })

  it('names the permission AWS says is missing, and exits 1', async () => {
    const cwd = projectWith(backends.config)
    backends.sm.faults.fail('accessDenied', { operation: 'GetSecretValue', times: 2 })
    const run = await runCli(['check', '--json'], { cwd, env: backends.env })
    backends.sm.faults.reset()
    expect(run.code).toBe(1)
    const report = JSON.parse(run.stdout)
    const denied = report.secrets.filter((s: { status: string }) => s.status === 'access-denied')
    expect(denied).toHaveLength(2)
    expect(denied[0]).toMatchObject({
      code: 'ERR_SECRET_ACCESS_DENIED',
      missingPermission: 'secretsmanager:GetSecretValue',
    })
    expect(report.ok).toBe(false)
    assertNoCanary(run.stdout + run.stderr, 'check output')
  })

  it('reports not found, Vault permission denied and an unreachable backend separately', async () => {
    const config = structuredClone(backends.config) as {
      sources: Record<string, Record<string, unknown>>
      secrets: unknown[]
    }
    config.secrets.push({ name: 'app/missing', source: 'aws' })
    config.sources.down = { type: 'aws-secrets-manager', region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }
    config.secrets.push({ name: 'app/db', source: 'down' })
    backends.vault.faults.fail('permissionDenied', { times: 1 })
    const run = await runCli(['check'], { cwd: projectWith(config), env: backends.env })
    backends.vault.faults.reset()
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/^not-found\s+app\/missing/m)
    expect(run.stdout).toMatch(/^access-denied\s+app\/service#password/m)
    expect(run.stdout).toMatch(/^unavailable\s+app\/db /m)
    expect(run.stdout).toContain('3 of 6 secrets did not load')
    assertNoCanary(run.stdout + run.stderr, 'check output')
  })

  it('prints no colour when stdout is not a terminal, and --help', async () => {
    const cwd = projectWith(backends.config)
    const run = await runCli(['check'], { cwd, env: { ...backends.env, FORCE_COLOR: '1' } })
    expect(run.stdout).not.toContain('\u001b[')
    const help = await runCli(['check', '--help'], { cwd })
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: latchkey check')
  })

  it('a misconfigured file: exit 2, the field and its line on stderr and in --json, no value', async () => {
    const config = structuredClone(backends.config) as { sources: Record<string, Record<string, unknown>> }
    ;(config.sources.vault as Record<string, unknown>).kvVersion = 3
    const cwd = projectWith(config)
    const text = await runCli(['check'], { cwd, env: backends.env })
    expect(text.code).toBe(2)
    expect(text.stderr).toMatch(
      /ERR_SECRET_INVALID_OPTIONS: latchkey\.config\.json:\d+: sources\.vault\.kvVersion: must be 1 or 2/,
    )
    const json = await runCli(['check', '--json'], { cwd, env: backends.env })
    const { error } = JSON.parse(json.stdout)
    const line =
      JSON.stringify(config, null, 2)
        .split('\n')
        .findIndex((l) => l.includes('"kvVersion"')) + 1
    expect(error).toMatchObject({
      code: 'ERR_SECRET_INVALID_OPTIONS',
      field: 'sources.vault.kvVersion',
      line,
    })
    assertNoCanary(text.stderr + json.stdout, 'check output')
  })
})
