/**
 * From a clean install: packs @latchkey/cli and the packages it loads with `pnpm pack`, installs the
 * tarballs with npm into an empty directory (SDKs from the registry), and runs the installed
 * `latchkey` bin against the emulators.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Backends, buildCli, startBackends } from '../test/fixture.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const PACKED = ['core', 'testing', 'aws', 'vault', 'cli']
let app: string
let backends: Backends

function pnpm(): string {
  const local = join(root, '.tmp', 'tools', 'node_modules', '.bin', 'pnpm')
  return existsSync(local) ? local : 'pnpm'
}

beforeAll(async () => {
  buildCli()
  app = mkdtempSync(join(tmpdir(), 'latchkey-installed-'))
  const packs = join(app, 'packs')
  for (const name of PACKED) {
    execFileSync(pnpm(), ['pack', '--pack-destination', packs], {
      cwd: join(root, 'packages', name),
      stdio: 'ignore',
    })
  }
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({ name: 'installed-app', private: true, type: 'module' }),
  )
  const tarballs = readdirSync(packs).map((f) => join(packs, f))
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      '@aws-sdk/client-secrets-manager@^3',
      '@aws-sdk/client-ssm@^3',
      'node-vault@^0.12',
    ],
    {
      cwd: app,
      stdio: 'ignore',
      timeout: 240_000,
    },
  )
  backends = await startBackends()
}, 300_000)

afterAll(async () => {
  await backends?.close()
  if (app) rmSync(app, { recursive: true, force: true })
})

function installed(
  args: string[],
  env: Record<string, string> = backends.env,
  cwd = app,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(app, 'node_modules', '.bin', 'latchkey'), args, {
      cwd,
      env: { ...process.env, ...env, AWS_EC2_METADATA_DISABLED: 'true', FORCE_COLOR: undefined },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8')
    })
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8')
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

describe('the installed latchkey bin (npm install of the packed tarballs)', () => {
  it('checks, reads masked, scans and writes a policy against the emulators; no value in any output', async () => {
    writeFileSync(join(app, 'latchkey.config.json'), JSON.stringify(backends.config, null, 2))
    writeFileSync(join(app, 'leak.log'), `{"password":"${backends.values.vaultPassword}"}\n`)
    const check = await installed(['check', '--json'])
    expect(
      JSON.parse(check.stdout).secrets.map((s: { status: string; code: string }) => s.code ?? s.status),
    ).toEqual(['ok', 'ok', 'ok', 'ok'])
    expect(check.code).toBe(0)
    const get = await installed(['get', 'app/api-key'])
    expect(get.code).toBe(0)
    expect(get.stdout).toContain('characters, version')
    const scan = await installed(['scan', 'leak.log', '--json'])
    expect(scan.code).toBe(1)
    expect(JSON.parse(scan.stdout).findings).toEqual([
      {
        file: 'leak.log',
        line: 1,
        column: 14,
        secret: 'app/service#password',
        form: 'raw',
        version: 'current',
      },
    ])
    const policy = await installed(['policy', '--format', 'vault'])
    expect(policy.stdout).toContain('path "secret/data/app/service"')
    const help = await installed(['--help'])
    expect(help.code).toBe(0)
    assertNoCanary(
      [check, get, scan, policy].map((r) => r.stdout + r.stderr).join('\n'),
      'installed CLI output',
    )
  })

  it('emulate: the installed bin serves seeded secrets to `check` through its printed environment, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-installed-emulate-'))
    const values = { sm: canary('tar-sm'), vault: canary('tar-vault') }
    writeFileSync(
      join(dir, 'secrets.json'),
      JSON.stringify({ secretsManager: { 'app/key': values.sm }, vault: { 'app/v': values.vault } }),
    )
    writeFileSync(
      join(dir, 'latchkey.config.json'),
      JSON.stringify({
        sources: { aws: { type: 'aws-secrets-manager' }, vault: { type: 'vault-kv' } },
        secrets: [
          { name: 'app/key', source: 'aws' },
          { name: 'app/v', source: 'vault' },
        ],
      }),
    )
    const child = spawn(
      join(app, 'node_modules', '.bin', 'latchkey'),
      ['emulate', '--json', '--seed', 'secrets.json'],
      {
        cwd: dir,
      },
    )
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8')
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    const info = await new Promise<{ env: Record<string, string> }>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString('utf8')
        try {
          resolve(JSON.parse(stdout))
        } catch {
          // not all of it yet
        }
      })
      void exited.then((code) => reject(new Error(`emulate exited early (${code}): ${stderr}`)))
    })
    const check = await installed(['check', '--json'], info.env, dir)
    expect(JSON.parse(check.stdout).secrets.map((s: { status: string }) => s.status)).toEqual(['ok', 'ok'])
    expect(check.code).toBe(0)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    assertNoCanary(stdout + stderr + check.stdout + check.stderr, 'installed emulate output')
  })
})
