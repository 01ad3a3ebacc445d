import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ErrorCode, SecretPreloadError } from '@latchkey/core'
import { type OpenedSource, openSource, readArgs } from '@latchkey/example-shared'
import { startMain } from '@latchkey/example-shared/test/main-process'
import { assertNoCanary, canary } from '@latchkey/test-support'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { buildApp } from './app.js'

const apps: FastifyInstance[] = []
const backends: OpenedSource[] = []
const dirs: string[] = []

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()))
  await Promise.all(backends.splice(0).map((backend) => backend.stop()))
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** Boots the app on a free port; returns its URL, the log lines it wrote, and the app and source. */
async function boot(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const logs: string[] = []
  const opened = await openSource(readArgs(argv), env)
  backends.push(opened)
  const app = await buildApp({
    source: opened.source,
    logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } },
  })
  apps.push(app)
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), logs, app, opened }
}

async function status(url: string, key?: string): Promise<{ code: number; text: string }> {
  const response = await fetch(`${url}/status`, { headers: key === undefined ? {} : { 'x-api-key': key } })
  const text = await response.text()
  assertNoCanary(text, 'the /status response body')
  return { code: response.status, text }
}

describe('fastify-app', () => {
  test('reads both secrets from environment variables and checks the API key', async () => {
    const apiKey = canary('env-api-key')
    const { url, logs } = await boot([], { DB_PASSWORD: canary('env-db'), API_KEY: apiKey })

    const health = await fetch(`${url}/health`)
    const ok = await status(url, apiKey)
    const wrong = await status(url, `${apiKey}x`)
    const missing = await status(url)

    expect(await health.json()).toEqual({ status: 'ok' })
    expect(ok.code).toBe(200)
    expect(JSON.parse(ok.text)).toEqual({ status: 'ok', database: { passwordLoaded: true, stale: false } })
    expect(wrong.code).toBe(401)
    expect(JSON.parse(wrong.text)).toEqual({ error: 'Unauthorized' })
    expect(missing.code).toBe(401)
    expect(logs.some((line) => line.includes('/status'))).toBe(true)
    expect(logs.some((line) => line.includes('postgres://app:[REDACTED]@localhost'))).toBe(true)
    assertNoCanary(logs.join('\n'), 'the app log')
  })

  test('reads secrets from files and follows a rotated API key without a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-fastify-app-'))
    dirs.push(dir)
    await mkdir(join(dir, 'db'))
    await mkdir(join(dir, 'api'))
    const oldKey = canary('file-key-old')
    const newKey = canary('file-key-new')
    await writeFile(join(dir, 'db', 'password'), `${canary('file-db')}\n`)
    await writeFile(join(dir, 'api', 'key'), `${oldKey}\n`)
    const { url, logs } = await boot(['--source=file', `--dir=${dir}`])

    expect((await status(url, oldKey)).code).toBe(200)

    await writeFile(join(dir, 'api', 'key'), `${newKey}\n`)
    await vi.waitFor(async () => expect((await status(url, newKey)).code).toBe(200), { timeout: 5_000 })
    expect((await status(url, oldKey)).code).toBe(401)
    assertNoCanary(logs.join('\n'), 'the app log')
  })

  test('reads secrets from the Secrets Manager emulator through the AWS SDK, and picks up a rotation', async () => {
    const oldKey = canary('aws-key-old')
    const newKey = canary('aws-key-new')
    const { url, logs, app, opened } = await boot(['--source=aws'], {
      DB_PASSWORD: canary('aws-db'),
      API_KEY: oldKey,
    })
    const emulator = opened.emulator
    if (emulator === undefined) throw new Error('aws mode should start an emulator')

    expect((await status(url, oldKey)).code).toBe(200)
    expect(emulator.callCount('GetSecretValue') + emulator.callCount('BatchGetSecretValue')).toBeGreaterThan(
      0,
    )

    emulator.rotate('api/key', newKey)
    await app.secrets.refresh('api/key')

    expect((await status(url, newKey)).code).toBe(200)
    expect((await status(url, oldKey)).code).toBe(401)
    assertNoCanary(logs.join('\n'), 'the app log')
  })

  test('does not start when a secret is missing, and names every missing one', async () => {
    const { source } = await openSource(readArgs([]), { API_KEY: canary('lonely') })
    const error = await buildApp({ source }).then(
      () => undefined,
      (reason: unknown) => reason,
    )

    expect(error).toBeInstanceOf(SecretPreloadError)
    expect((error as SecretPreloadError).errors.map((e) => [e.secretName, e.code])).toEqual([
      ['db/password', ErrorCode.NOT_FOUND],
    ])
  })

  // Deliberately the same steps as the Express example's test: each example proves its own main.ts.
  test.each(['env', 'aws', 'ssm', 'azure', 'google'])(
    'src/main.ts --source=%s starts a real server and stops on SIGTERM',
    async (mode) => {
      const apiKey = canary('main-api-key')
      const root = fileURLToPath(new URL('..', import.meta.url))
      const main = await startMain(root, [`--source=${mode}`, '--port=0'], {
        DB_PASSWORD: canary('main-db'),
        API_KEY: apiKey,
        NODE_ENV: 'production',
      })
      try {
        expect((await status(main.url, apiKey)).code).toBe(200)
      } finally {
        expect(await main.stop()).toBe(0)
      }
      const output = main.output()
      expect(output).toContain('postgres://app:[REDACTED]@localhost')
      assertNoCanary(output, 'the output of src/main.ts')
    },
  )
})
