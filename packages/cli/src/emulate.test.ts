import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildCli } from '../test/fixture.js'
import { BIN, projectWith, runCli } from '../test/run-cli.js'

beforeAll(() => buildCli(), 180_000)

/** Starts `latchkey emulate --json …`; resolves with the child and its parsed first output. */
function startEmulate(
  args: string[],
  cwd: string,
): Promise<{
  child: ChildProcess
  info: { endpoints: Record<string, string>; caFile: string; env: Record<string, string> }
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>
}> {
  const child = spawn(process.execPath, [BIN, 'emulate', '--json', ...args], { cwd })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8')
  })
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  )
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString('utf8')
      try {
        resolve({ child, info: JSON.parse(stdout), exited })
      } catch {
        // not all of it yet
      }
    })
    void exited.then(({ code }) => reject(new Error(`emulate exited early (${code}): ${stderr}`)))
  })
}

describe('latchkey emulate', () => {
  it('serves the seeded secrets, prints endpoints and env, and stops cleanly on SIGTERM and SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-emulate-'))
    const values = { sm: canary('seed-sm'), ssm: canary('seed-ssm'), vault: canary('seed-vault') }
    writeFileSync(
      join(dir, 'secrets.json'),
      JSON.stringify({
        secretsManager: { 'app/key': values.sm },
        parameterStore: { '/app/p': values.ssm },
        vault: { 'app/v': values.vault },
      }),
    )
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { child, info, exited } = await startEmulate(
        ['--seed', 'secrets.json', '--faults', 'secrets-manager:throttling:1'],
        dir,
      )
      expect(Object.keys(info.env).sort()).toEqual([
        'AWS_ACCESS_KEY_ID',
        'AWS_ENDPOINT_URL_SECRETS_MANAGER',
        'AWS_ENDPOINT_URL_SSM',
        'AWS_REGION',
        'AWS_SECRET_ACCESS_KEY',
        'AZURE_KEYVAULT_URL',
        'GOOGLE_CLOUD_PROJECT',
        'LATCHKEY_AZURE_TOKEN',
        'LATCHKEY_GOOGLE_TOKEN',
        'NODE_EXTRA_CA_CERTS',
        'VAULT_ADDR',
        'VAULT_TOKEN',
      ])
      const cwd = projectWith({
        sources: {
          aws: { type: 'aws-secrets-manager' },
          ssm: { type: 'aws-parameter-store' },
          vault: { type: 'vault-kv' },
        },
        secrets: [
          { name: 'app/key', source: 'aws' },
          { name: '/app/p', source: 'ssm' },
          { name: 'app/v', source: 'vault' },
        ],
        cache: { retry: { retries: 2, baseDelay: 10 } },
      })
      // the app points at the emulators with nothing but the printed environment
      const check = await runCli(['check', '--json'], {
        cwd,
        env: { ...info.env, AWS_EC2_METADATA_DISABLED: 'true' },
      })
      expect(JSON.parse(check.stdout).secrets.map((s: { status: string }) => s.status)).toEqual([
        'ok',
        'ok',
        'ok',
      ])
      expect(check.code).toBe(0)
      child.kill(signal)
      const end = await exited
      expect(end.code).toBe(0)
      assertNoCanary(end.stdout + end.stderr + check.stdout + check.stderr, 'emulate output')
    }
  })

  it('Key Vault (HTTPS, its CA file in NODE_EXTRA_CA_CERTS) and Google Secret Manager: seeded, faulted, reached with the printed env only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-emulate-cloud-'))
    const values = { kv: canary('seed-kv'), gsm: canary('seed-gsm'), gsmJson: canary('seed-gsm-json') }
    writeFileSync(
      join(dir, 'secrets.json'),
      JSON.stringify({
        keyVault: { 'app--key': values.kv },
        googleSecretManager: {
          'app-key': values.gsm,
          'app-db': JSON.stringify({ password: values.gsmJson }),
        },
      }),
    )
    const { child, info, exited } = await startEmulate(
      [
        '--seed',
        'secrets.json',
        '--faults',
        'key-vault:internal:1',
        '--faults',
        'google-secret-manager:unavailable:1',
      ],
      dir,
    )
    expect(info.env.NODE_EXTRA_CA_CERTS).toBe(info.caFile)
    expect(readFileSync(info.caFile, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/)
    expect(info.endpoints.keyVault).toMatch(/^https:\/\/latchkey\.vault\.localhost:\d+$/)
    expect(info.env.AZURE_KEYVAULT_URL).toBe(info.endpoints.keyVault)
    const config = {
      sources: {
        azure: {
          type: 'azure-key-vault',
          vaultUrl: info.env.AZURE_KEYVAULT_URL,
          tokenEnv: 'LATCHKEY_AZURE_TOKEN',
        },
        google: {
          type: 'google-secret-manager',
          project: info.env.GOOGLE_CLOUD_PROJECT,
          endpoint: info.endpoints.googleSecretManager,
          tokenEnv: 'LATCHKEY_GOOGLE_TOKEN',
        },
      },
      secrets: [
        { name: 'app/key', source: 'azure' },
        { name: 'app-key', source: 'google' },
        { name: 'app-db#password', source: 'google' },
      ],
      cache: { retry: { retries: 0 } },
    }
    // the first load of each service meets its one injected fault (500, 503), the next run loads all
    const faulted = await runCli(['check', '--json'], { cwd: projectWith(config), env: info.env })
    const statuses = JSON.parse(faulted.stdout).secrets.map((s: { status: string }) => s.status)
    expect(statuses[0]).toBe('unavailable')
    expect(statuses.slice(1).sort()).toEqual(['ok', 'unavailable'])
    const check = await runCli(['check', '--json'], { cwd: projectWith(config), env: info.env })
    expect(JSON.parse(check.stdout).secrets.map((s: { status: string }) => s.status)).toEqual([
      'ok',
      'ok',
      'ok',
    ])
    expect(check.code).toBe(0)
    // without the CA the certificate is refused: the TLS trust comes from the printed variable
    const untrusted = await runCli(['check', '--json'], {
      cwd: projectWith({
        ...config,
        secrets: [{ name: 'app/key', source: 'azure' }],
        cache: { retry: { retries: 0 } },
      }),
      env: { ...info.env, NODE_EXTRA_CA_CERTS: undefined },
    })
    expect(JSON.parse(untrusted.stdout).secrets[0].status).toBe('unavailable')
    child.kill('SIGINT')
    const end = await exited
    expect(end.code).toBe(0)
    expect(existsSync(info.caFile)).toBe(false)
    assertNoCanary(
      end.stdout + end.stderr + faulted.stdout + check.stdout + check.stderr + untrusted.stdout,
      'emulate output',
    )
  })

  it('binds --port and the four after it, and prints export lines without --json', async () => {
    // a port found free can be taken by another process before emulate binds it: try a few
    const attempt = async () => {
      const probe = await startEmulate([], tmpdir())
      const port = Number(new URL(probe.info.endpoints.secretsManager as string).port)
      probe.child.kill('SIGTERM')
      await probe.exited
      const child = spawn(process.execPath, [BIN, 'emulate', '--port', String(port)], { cwd: tmpdir() })
      let out = ''
      let err = ''
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString('utf8')
      })
      const up = await new Promise<boolean>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString('utf8')
          if (out.includes('LATCHKEY_GOOGLE_TOKEN=')) resolve(true)
        })
        child.on('close', (code) =>
          code === 2 && err.includes('is already in use')
            ? resolve(false)
            : reject(new Error(`emulate exited (${code}): ${err}`)),
        )
      })
      return up ? { child, port, out } : undefined
    }
    let started = await attempt()
    for (let tries = 1; started === undefined && tries < 5; tries++) started = await attempt()
    if (started === undefined) throw new Error('five free ports were taken five times in a row')
    const { child, port, out } = started
    expect(out).toContain(`export AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:${port}\n`)
    expect(out).toContain(`export VAULT_ADDR=http://127.0.0.1:${port + 2}\n`)
    expect(out).toContain(`export AZURE_KEYVAULT_URL=https://latchkey.vault.localhost:${port + 3}\n`)
    expect(out).toMatch(new RegExp(`Google Secret Manager +http://127\\.0\\.0\\.1:${port + 4} `))
    child.kill('SIGINT')
    const code = await new Promise((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
  })

  it('names a taken port with exit 2', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const taken = (blocker.address() as AddressInfo).port
    // --port P binds P … P+4: with P+2 (Vault) taken, the two started before it are closed again
    const result = await runCli(['emulate', '--port', String(taken - 2)], { cwd: tmpdir() })
    blocker.close()
    expect(result.code).toBe(2)
    // another process may hold P or P+1 as well: the message names whichever port failed first
    expect(result.stderr).toMatch(
      new RegExp(
        `127\\.0\\.0\\.1:(${taken - 2}|${taken - 1}|${taken}) is already in use \\(--port ${taken - 2} binds it`,
      ),
    )
  })

  it('rejects a bad seed, fault or port with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-emulate-bad-'))
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ secretsManager: { a: 42 } }))
    const seed = await runCli(['emulate', '--seed', 'bad.json'], { cwd: dir })
    expect(seed.code).toBe(2)
    expect(seed.stderr).toContain('secretsManager.a must be a string')
    const fault = await runCli(['emulate', '--faults', 'vault:melted'], { cwd: dir })
    expect(fault.code).toBe(2)
    const port = await runCli(['emulate', '--port', '70000'], { cwd: dir })
    expect(port.code).toBe(2)
    expect(port.stderr).toContain('--port must be an integer from 0 to 65531')
    const kvFault = await runCli(['emulate', '--faults', 'key-vault:melted'], { cwd: dir })
    expect(kvFault.code).toBe(2)
    expect(kvFault.stderr).toContain('--faults key-vault:melted')
    writeFileSync(join(dir, 'bad-kv.json'), JSON.stringify({ keyVault: { 'not/valid': 'x' } }))
    const kvSeed = await runCli(['emulate', '--seed', 'bad-kv.json'], { cwd: dir })
    expect(kvSeed.code).toBe(2)
    expect(kvSeed.stderr).toContain('keyVault.not/valid')
  })
})
