import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ErrorCode, SecretPreloadError } from '@latchkey/core'
import { type OpenedSource, openSource, readArgs } from '@latchkey/example-shared'
import { startMain } from '@latchkey/example-shared/test/main-process'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { buildApp, type ExampleApp } from './app.js'

const running: Array<{ server: Server; example: ExampleApp; opened: OpenedSource }> = []
const dirs: string[] = []

afterEach(async () => {
  for (const { server, example, opened } of running.splice(0)) {
    await new Promise((resolve) => server.close(resolve))
    await example.middleware.close()
    await opened.stop()
  }
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })))
})

/** Listens on a free port and tracks everything for cleanup. */
async function listen(example: ExampleApp, opened: OpenedSource): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const listening = example.app.listen(0, '127.0.0.1', () => resolve(listening))
  })
  running.push({ server, example, opened })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Opens the source `argv` asks for, builds the app and listens on a free port. */
async function boot(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const opened = await openSource(readArgs(argv), env)
  const example = buildApp({ source: opened.source })
  return { url: await listen(example, opened), example, opened }
}

async function status(url: string, key?: string): Promise<{ code: number; body: unknown }> {
  const response = await fetch(`${url}/status`, { headers: key === undefined ? {} : { 'x-api-key': key } })
  const text = await response.text()
  assertNoCanary(text, 'the /status response body')
  return { code: response.status, body: JSON.parse(text) }
}

describe('express-app', () => {
  test('reads both secrets from environment variables and checks the API key', async () => {
    const apiKey = canary('env-api-key')
    const { url } = await boot([], { DB_PASSWORD: canary('env-db'), API_KEY: apiKey })

    const health = await fetch(`${url}/health`)

    expect(await health.json()).toEqual({ status: 'ok' })
    expect(await status(url, apiKey)).toEqual({
      code: 200,
      body: { status: 'ok', database: { passwordLoaded: true, stale: false } },
    })
    expect(await status(url, `${apiKey}x`)).toEqual({ code: 401, body: { error: 'Unauthorized' } })
    expect(await status(url)).toEqual({ code: 401, body: { error: 'Unauthorized' } })
  })

  test('reads secrets from files, follows a rotated key, and answers 503 when the key file is gone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-express-app-'))
    dirs.push(dir)
    await mkdir(join(dir, 'db'))
    await mkdir(join(dir, 'api'))
    const oldKey = canary('file-key-old')
    const newKey = canary('file-key-new')
    await writeFile(join(dir, 'db', 'password'), `${canary('file-db')}\n`)
    await writeFile(join(dir, 'api', 'key'), `${oldKey}\n`)
    const { url } = await boot(['--source=file', `--dir=${dir}`])

    expect((await status(url, oldKey)).code).toBe(200)

    await writeFile(join(dir, 'api', 'key'), `${newKey}\n`)
    await vi.waitFor(async () => expect((await status(url, newKey)).code).toBe(200), { timeout: 5_000 })
    expect((await status(url, oldKey)).code).toBe(401)

    await rm(join(dir, 'api', 'key'))
    await vi.waitFor(
      async () =>
        expect(await status(url, newKey)).toEqual({
          code: 503,
          body: { error: 'Service Unavailable', code: 'ERR_SECRET_UNAVAILABLE' },
        }),
      { timeout: 5_000 },
    )
  })

  test('reads secrets from the Secrets Manager emulator through the AWS SDK, and picks up a rotation', async () => {
    const oldKey = canary('aws-key-old')
    const newKey = canary('aws-key-new')
    const { url, example, opened } = await boot(['--source=aws'], {
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
    await example.middleware.provider.refresh('api/key')

    expect((await status(url, newKey)).code).toBe(200)
    expect((await status(url, oldKey)).code).toBe(401)
  })

  test('a Secrets Manager outage at boot answers 503, then heals without a restart', async () => {
    const apiKey = canary('aws-outage-key')
    const opened = await openSource(readArgs(['--source=aws']), {
      DB_PASSWORD: canary('aws-outage-db'),
      API_KEY: apiKey,
    })
    const emulator = opened.emulator
    if (emulator === undefined) throw new Error('aws mode should start an emulator')
    emulator.faults.fail('internal', { times: Number.POSITIVE_INFINITY })
    const url = await listen(buildApp({ source: opened.source }), opened)

    expect(await status(url, apiKey)).toEqual({
      code: 503,
      body: { error: 'Service Unavailable', code: 'ERR_SECRET_UNAVAILABLE' },
    })

    emulator.faults.reset()
    expect((await status(url, apiKey)).code).toBe(200)
  })

  test('a missing secret fails ready() naming it, and requests meanwhile get the generic 503', async () => {
    const { url, example } = await boot([], { API_KEY: canary('lonely') })

    const error = await example.middleware.ready().then(
      () => undefined,
      (reason: unknown) => reason,
    )

    expect(error).toBeInstanceOf(SecretPreloadError)
    expect((error as SecretPreloadError).errors.map((e) => [e.secretName, e.code])).toEqual([
      ['db/password', ErrorCode.NOT_FOUND],
    ])
    expect(await status(url, 'any-key')).toEqual({
      code: 503,
      body: { error: 'Service Unavailable', code: 'ERR_SECRET_UNAVAILABLE' },
    })
  })

  // Deliberately the same steps as the Fastify example's test: each example proves its own main.ts.
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
      assertNoCanary(output, 'the output of src/main.ts')
    },
  )
})
