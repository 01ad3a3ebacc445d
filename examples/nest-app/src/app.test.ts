import 'reflect-metadata'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspect } from 'node:util'
import { CachedSecretProvider, type RotateEvent, SecretPreloadError } from '@latchkey/core'
import { SecretsService } from '@latchkey/nestjs'
import { assertNoCanary, CapturingLogger, canary } from '@latchkey/test-support'
import type { INestApplication } from '@nestjs/common'
import { ConfigService } from '@nestjs/config'
import { ModulesContainer, NestFactory } from '@nestjs/core'
import request from 'supertest'
import { afterEach, describe, expect, it } from 'vitest'
import { AppModule } from './app.module.js'
import { DatabaseService } from './database.service.js'
import { type OpenedSource, openSource, readArgs } from './source.js'

const appDir = fileURLToPath(new URL('..', import.meta.url))

const cleanup: Array<() => Promise<unknown>> = []

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

/** Boots the app the way main.ts does, on a free port; returns it with its provider, source and log. */
async function boot(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const logger = new CapturingLogger()
  const opened: OpenedSource = await openSource(readArgs(argv), env)
  cleanup.push(() => opened.stop())
  const provider = new CachedSecretProvider(opened.source)
  cleanup.push(() => provider.close())
  const app = await NestFactory.create(AppModule.register({ provider }), { logger, abortOnError: false })
  cleanup.push(() => app.close())
  await app.listen(0, '127.0.0.1')
  return { app, provider, opened, logger }
}

async function getStatus(app: INestApplication, key?: string): Promise<request.Response> {
  const call = request(app.getHttpServer()).get('/status')
  const res = await (key === undefined ? call : call.set('x-api-key', key))
  assertNoCanary(res.text, 'the /status response')
  return res
}

function nextRotation(app: INestApplication, name: string): Promise<RotateEvent> {
  return new Promise((resolve) => {
    const stop = app.get(SecretsService).on('rotate', (event) => {
      if (event.name !== name) return
      stop()
      resolve(event)
    })
  })
}

describe('nest-app', () => {
  it('runs on Nest 12, the only copy of Nest in the process', async () => {
    const nestVersion = createRequire(import.meta.url)('@nestjs/core/package.json').version as string
    expect(nestVersion).toMatch(/^12\./)
    // SecretsModule injects ModulesContainer from the @nestjs/core it imports; with a second copy of
    // Nest (the 11 that packages/nestjs is developed against) that token would be unknown and boot would fail.
    const { app } = await boot([], { DB_PASSWORD: canary('v-db'), API_KEY: canary('v-key') })
    expect(app.get(ModulesContainer)).toBeInstanceOf(ModulesContainer)
    expect(app.get(SecretsService)).toBeInstanceOf(SecretsService)
  })

  it('reads both secrets from environment variables and checks the API key', async () => {
    const dbPassword = canary('env-db')
    const apiKey = canary('env-key')
    const { app, logger, provider } = await boot([], { DB_PASSWORD: dbPassword, API_KEY: apiKey })

    const health = await request(app.getHttpServer()).get('/health')
    const ok = await getStatus(app, apiKey)
    const wrong = await getStatus(app, `${apiKey}x`)
    const missing = await getStatus(app)

    expect(health.body).toEqual({ status: 'ok' })
    expect(ok.status).toBe(200)
    expect(ok.body).toEqual({ status: 'ok', database: { passwordLoaded: true, stale: false } })
    expect(wrong.status).toBe(401)
    expect(missing.status).toBe(401)
    expect(app.get(ConfigService).get('database.password')).toBe(dbPassword)
    expect(app.get(DatabaseService).connectionOptions().password).toBe(dbPassword)
    assertNoCanary(logger.lines.join('\n'), 'the app log')

    await app.close()
    expect(provider.closed).toBe(true)
  })

  it('reads files from --dir and follows a rotation of both secrets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nest-app-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const write = async (name: string, value: string) => {
      const path = join(dir, name)
      await mkdir(dirname(path), { recursive: true })
      await writeFile(`${path}.tmp`, value)
      await rename(`${path}.tmp`, path)
    }
    const oldKey = canary('file-key')
    await write('db/password', canary('file-db'))
    await write('api/key', oldKey)
    const { app } = await boot(['--source=file', `--dir=${dir}`])
    expect((await getStatus(app, oldKey)).status).toBe(200)

    const newKey = canary('file-key-2')
    const keyRotated = nextRotation(app, 'api/key')
    await write('api/key', newKey)
    await keyRotated
    expect((await getStatus(app, oldKey)).status).toBe(401)
    expect((await getStatus(app, newKey)).status).toBe(200)

    const newPassword = canary('file-db-2')
    const passwordRotated = nextRotation(app, 'db/password')
    await write('db/password', newPassword)
    await passwordRotated
    expect(app.get(ConfigService).get('database.password')).toBe(newPassword)
  })

  it('reads from the Vault emulator over HTTP and follows a rotation', async () => {
    const oldKey = canary('vault-key')
    const dbPassword = canary('vault-db')
    const { app, opened } = await boot(['--source=vault'], { DB_PASSWORD: dbPassword, API_KEY: oldKey })
    expect(opened.source.name).toBe('vault-kv')
    expect((await getStatus(app, oldKey)).status).toBe(200)
    expect(app.get(ConfigService).get('database.password')).toBe(dbPassword)

    const newKey = canary('vault-key-2')
    opened.vault?.kv.rotate('api/key', { value: newKey })
    await app.get(SecretsService).refresh('api/key')
    expect((await getStatus(app, oldKey)).status).toBe(401)
    expect((await getStatus(app, newKey)).status).toBe(200)
  })

  it.each(['aws', 'ssm', 'azure', 'google'])(
    "reads from the %s emulator through that store's real SDK over HTTP",
    async (mode) => {
      const apiKey = canary(`${mode}-key`)
      const dbPassword = canary(`${mode}-db`)
      const { app } = await boot([`--source=${mode}`], { DB_PASSWORD: dbPassword, API_KEY: apiKey })
      expect((await getStatus(app, apiKey)).status).toBe(200)
      expect((await getStatus(app, canary('wrong'))).status).toBe(401)
      expect(app.get(ConfigService).get('database.password')).toBe(dbPassword)
    },
  )

  it.each([
    { missing: 'api/key', env: { DB_PASSWORD: canary('only-db') } },
    { missing: 'db/password', env: { API_KEY: canary('only-key') } },
  ])(
    'fails startup with a SecretPreloadError naming $missing when it is not set',
    async ({ missing, env }) => {
      const logger = new CapturingLogger()
      const opened = await openSource(readArgs([]), env)
      const provider = new CachedSecretProvider(opened.source)
      cleanup.push(() => provider.close())

      const error = await NestFactory.create(AppModule.register({ provider }), {
        logger,
        abortOnError: false,
      }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(SecretPreloadError)
      expect((error as SecretPreloadError).errors.map((e) => [e.secretName, e.code])).toEqual([
        [missing, 'ERR_SECRET_NOT_FOUND'],
      ])
      assertNoCanary(`${inspect(error, { depth: 5 })}\n${logger.lines.join('\n')}`, 'the startup error')
    },
  )

  it('starts with `pnpm start` (tsx) and serves requests', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nest-app-start-'))
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    const apiKey = canary('start-key')
    await mkdir(join(dir, 'db'))
    await mkdir(join(dir, 'api'))
    await writeFile(join(dir, 'db/password'), canary('start-db'))
    await writeFile(join(dir, 'api/key'), apiKey)

    const pkg = JSON.parse(await readFile(join(appDir, 'package.json'), 'utf8')) as {
      scripts: { start: string }
    }
    const [command, ...args] = pkg.scripts.start.split(' ')
    // The start script, run as npm would run it (binaries from node_modules/.bin), with its arguments.
    const child = spawn(
      join(appDir, 'node_modules/.bin', command as string),
      [...args, '--source=file', `--dir=${dir}`, '--port=0'],
      { cwd: appDir, env: { ...process.env, NO_COLOR: '1' } },
    )
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
    cleanup.push(async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      await exited
    })

    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "listening on" line within 30 s:\n${output}`)),
        30_000,
      )
      const check = () => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
        if (match?.[1] === undefined) return
        clearTimeout(timer)
        resolve(match[1])
      }
      child.stdout.on('data', check)
      child.on('close', () => reject(new Error(`the app exited before listening:\n${output}`)))
    })
    const ok = await fetch(`${url}/status`, { headers: { 'x-api-key': apiKey } })
    const body = await ok.text()
    assertNoCanary(body, 'the /status response')
    expect(ok.status).toBe(200)
    expect(JSON.parse(body)).toEqual({ status: 'ok', database: { passwordLoaded: true, stale: false } })

    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(output).toContain('(secrets from file)')
    assertNoCanary(output, 'the app output')
  })
})
