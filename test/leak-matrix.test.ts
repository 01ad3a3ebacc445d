/**
 * The leak matrix: every setup the READMEs document × every form a secret value takes in a log line
 * × rotation (before, right after, 25 h after). Every byte the loggers write is captured; no value
 * may appear in it in any form. Values are canaries with characters that need escaping and
 * encoding (quotes, space, !'()*, unicode); a number field and a short value are checked where
 * they stand whole.
 *
 * Setups: core only (logger made before the provider, no provider named), two providers (the
 * logger names the other one), the providers that RotatingPool, the Fastify plugin, the Express
 * middleware and the Nest SecretsModule build from `{ source }`, logged through a Fastify logger,
 * pino-http (its own serializers) with the Express error handler, and nestjs-pino.
 */
import 'reflect-metadata'
import { randomBytes, randomInt } from 'node:crypto'
import { createServer } from 'node:net'
import { Writable } from 'node:stream'
import { AwsParameterStoreSource } from '@latchkey/aws'
import { CachedSecretProvider, MemorySource, SecretRedactor, sharedRedactor } from '@latchkey/core'
import { requireSecrets, secrets, secretsErrorHandler } from '@latchkey/express'
import { secretsErrorHandler as fastifySecretsErrorHandler, latchkey } from '@latchkey/fastify'
import { SecretsModule } from '@latchkey/nestjs'
import { RotatingPool } from '@latchkey/pg'
import { redactSecrets } from '@latchkey/pino'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { type ParameterStoreEmulator, startParameterStoreEmulator } from '@latchkey/testing'
import { Controller, Get, Inject, Module, Query } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import express from 'express'
import Fastify from 'fastify'
import { LoggerModule, Logger as NestPinoLogger } from 'nestjs-pino'
import pino from 'pino'
import { pinoHttp } from 'pino-http'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const HOUR = 3_600_000
/** Long enough that no entry expires during the test: values stay current, as in an app that keeps using them. */
const TTL = 48 * HOUR
/** Characters that JSON escaping, form encoding, RFC 3986 strict encoding and URL userinfo treat differently. */
const AWKWARD = ` "it's (x)!*ü`
const R = '[REDACTED]'

interface Values {
  /** A field of the JSON secret that does not change when the password rotates. */
  signingKey: string
  /** A password inside a string field that is itself JSON (`config: "{\"password\":…}"`). */
  inner: string
  password: string
  apiKey: string
  pin: string
  short: string
}

/** Where a value stands in a log line: every form real code writes it in. */
function formsOf(value: string): string[] {
  const uri = encodeURIComponent(value)
  const strict = uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())
  const url = new URL('postgres://app@db.internal:5432/app')
  url.password = value
  const query = new URLSearchParams({ key: value, next: '1' }).toString()
  return [
    value, // JSON-escaped once in the line
    JSON.stringify(value).slice(1, -1), // twice in the line
    JSON.stringify({ value }), // a JSON document logged as a string: twice
    uri,
    lower(uri),
    strict,
    lower(strict),
    query, // URLSearchParams: + for space, %27 for '
    `https://api.test/v1?${query}`,
    url.href, // URL userinfo password
    `postgres://app:${uri}@db.internal:5432/app`,
    pythonQuote(value), // Python quote() with its default safe='/'
    encodeURI(`postgres://app:${value}@db.internal/app`), // encodeURI of a DSN
    nonSpecialQuery(value), // url.search on postgres: keeps '
  ]
}

/** `urllib.parse.quote(value)` by its documented rules (`encoded-forms.test.ts` checks them against python3). */
function pythonQuote(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) =>
      /[A-Za-z0-9_.~/-]/.test(String.fromCharCode(byte)) && byte < 128
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('')
}

/** A query set through `url.search` on a non-special scheme, which leaves `'` as it is. */
function nonSpecialQuery(value: string): string {
  const url = new URL('postgres://db.internal/app')
  url.search = `password=${value}`
  return url.href
}

function secretJson(values: Values, port: number): string {
  return JSON.stringify({
    username: 'app',
    password: values.password,
    signingKey: values.signingKey,
    config: JSON.stringify({ password: values.inner }),
    pin: Number(values.pin),
    host: '127.0.0.1',
    port,
    dbname: 'app',
  })
}

/** What one setup gives the matrix. */
interface Harness {
  /** The provider that holds the values (built by the adapter when the setup uses `{ source }`). */
  provider: Pick<CachedSecretProvider, 'refresh' | 'getSecret'>
  /** Logs through the setup's logger (the app's own log calls). */
  log(object: Record<string, unknown>, message: string): void
  /** Sends real HTTP requests that carry `value` in the query, in credential headers and in a plain header. */
  request(value: string): Promise<void>
  /** Everything the loggers wrote. */
  output(): string
  close(): Promise<void>
}

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      done()
    },
  })
  return { stream, text: () => chunks.join('') }
}

/** The names an app uses: fields of a JSON secret (a number among them; `username` is not a secret), two names with one value, a short value. */
const NAMES = [
  'db/creds#signingKey',
  'db/creds#password',
  'db/creds#pin',
  'api/key',
  'api/key-copy',
  'app/pin',
]

async function useAll(provider: Pick<CachedSecretProvider, 'getSecret'>): Promise<void> {
  for (const name of NAMES) await provider.getSecret(name)
}

/** Header-safe: headers carry the URL-encoded form. */
async function sendRequests(url: string, value: string): Promise<void> {
  const encoded = encodeURIComponent(value)
  const response = await fetch(`${url}?${new URLSearchParams({ key: value, sig: value }).toString()}`, {
    headers: {
      authorization: `Bearer ${encoded}`,
      cookie: `sid=${encoded}`,
      'x-auth-token': encoded,
      'x-csrf-token': encoded,
      'x-api-key': encoded,
      'x-note': encoded,
      'user-agent': 'leak-matrix',
    },
  })
  await response.text()
}

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address !== null ? address.port : 1
}

type Setup = (source: MemorySource) => Promise<Harness>

const setups: Record<string, Setup> = {
  async 'core only: redactSecrets() made before the provider, no provider named'(source) {
    const out = capture()
    const log = pino(redactSecrets(), out.stream)
    const provider = new CachedSecretProvider(source, { ttl: TTL })
    await useAll(provider)
    return {
      provider,
      log: (object, message) => log.info(object, message),
      request: async (value) => log.info({ url: `/login?${new URLSearchParams({ key: value })}` }, 'request'),
      output: out.text,
      close: () => provider.close(),
    }
  },

  async 'two providers: the logger names the other one'(source) {
    const out = capture()
    const other = new CachedSecretProvider(new MemorySource({ 'other/key': canary('other', AWKWARD) }))
    await other.preload(['other/key'])
    const log = pino(redactSecrets({ level: 'info', latchkey: { provider: other } }), out.stream)
    const provider = new CachedSecretProvider(source, { ttl: TTL })
    await useAll(provider)
    return {
      provider,
      log: (object, message) => log.info(object, message),
      request: async (value) => log.info({ url: `/login?${new URLSearchParams({ key: value })}` }, 'request'),
      output: out.text,
      close: async () => {
        await provider.close()
        await other.close()
      },
    }
  },

  async 'RotatingPool({ source }): the connection error and connection strings'(source) {
    const out = capture()
    const log = pino(redactSecrets(), out.stream)
    const pool = new RotatingPool({ source, secret: 'db/creds', ttl: TTL, connectionTimeoutMillis: 2_000 })
    pool.on('error', (error) => log.error({ err: error }, 'pool error'))
    const provider = pool.provider as unknown as Pick<CachedSecretProvider, 'refresh' | 'getSecret'>
    try {
      await pool.query('SELECT 1')
    } catch (error) {
      log.error({ err: error }, 'query failed')
    }
    await useAll(provider)
    return {
      provider,
      log: (object, message) => log.info(object, message),
      request: async () => {
        try {
          await pool.query('SELECT 1')
        } catch (error) {
          log.error({ err: error }, 'query failed')
        }
      },
      output: out.text,
      close: () => pool.end(),
    }
  },

  async 'Fastify: logger redactSecrets(), plugin { source }, error handler'(source) {
    const out = capture()
    const app = Fastify({ logger: { ...redactSecrets({ level: 'info' }), stream: out.stream } })
    await app.register(latchkey, {
      source,
      ttl: TTL,
      preload: ['db/creds', 'api/key', 'api/key-copy', 'app/pin'],
    })
    app.setErrorHandler(fastifySecretsErrorHandler())
    app.get('/login', async (request) => {
      request.log.info({ query: request.query, headers: request.headers }, 'login')
      await app.secrets.getSecret('missing/secret')
      return { ok: true }
    })
    const url = await app.listen({ port: 0, host: '127.0.0.1' })
    await useAll(app.secrets)
    return {
      provider: app.secrets,
      log: (object, message) => app.log.info(object, message),
      request: (value) => sendRequests(`${url}/login`, value),
      output: out.text,
      close: () => app.close(),
    }
  },

  async 'Express: middleware { source }, pino-http with its own serializers, secretsErrorHandler'(source) {
    const out = capture()
    const logger = pino(redactSecrets(), out.stream)
    const middleware = secrets({
      source,
      ttl: TTL,
      preload: ['db/creds', 'api/key', 'api/key-copy', 'app/pin'],
    })
    const app = express()
    app.use(pinoHttp({ logger }))
    app.use(middleware)
    app.get('/login', requireSecrets('missing/secret'), (_req, res) => {
      res.json({ ok: true })
    })
    app.use(secretsErrorHandler())
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', () => resolve()))
    const address = server.address()
    const port = typeof address === 'object' && address !== null ? address.port : 0
    await useAll(middleware.provider)
    return {
      provider: middleware.provider,
      log: (object, message) => logger.info(object, message),
      request: (value) => sendRequests(`http://127.0.0.1:${port}/login`, value),
      output: out.text,
      close: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await middleware.close()
      },
    }
  },

  async 'Nest: SecretsModule { source }, nestjs-pino with redactSecrets()'(source) {
    const out = capture()
    class LoginController {
      constructor(readonly logger: NestPinoLogger) {}
      login(query: Record<string, unknown>) {
        this.logger.log({ query }, 'login')
        return { ok: true }
      }
    }
    Inject(NestPinoLogger)(LoginController, undefined, 0)
    Query()(LoginController.prototype, 'login', 0)
    Get('login')(
      LoginController.prototype,
      'login',
      Object.getOwnPropertyDescriptor(LoginController.prototype, 'login') as PropertyDescriptor,
    )
    Controller()(LoginController)
    class AppModule {}
    Module({
      imports: [
        SecretsModule.forRoot({
          source,
          ttl: TTL,
          isGlobal: true,
          preload: ['db/creds', 'api/key', 'api/key-copy'],
        }),
        LoggerModule.forRoot({ pinoHttp: [redactSecrets({ level: 'info' }), out.stream] }),
      ],
      controllers: [LoginController],
    })(AppModule)
    const app = await NestFactory.create(AppModule, { bufferLogs: true })
    app.useLogger(app.get(NestPinoLogger))
    await app.listen(0, '127.0.0.1')
    const url = await app.getUrl()
    const provider = app.get(CachedSecretProvider)
    const logger = app.get(NestPinoLogger)
    await useAll(provider)
    return {
      provider,
      log: (object, message) => logger.log(object, message),
      request: (value) => sendRequests(`${url.replace('[::1]', '127.0.0.1')}/login`, value),
      output: out.text,
      close: () => app.close(),
    }
  },
}

/** Logs every form of every value through the setup, and sends requests that carry them. */
async function emit(harness: Harness, values: string[]): Promise<void> {
  for (const value of values) {
    for (const form of formsOf(value)) {
      harness.log({ note: form, nested: { deeper: { list: [form] } } }, `value=${form} end`)
    }
    await harness.request(value)
  }
}

/** Fails when any value, in any form, or the short value and the number where they stand whole, is in the output. */
function expectClean(output: string, values: Values, when: string): void {
  assertNoCanary(output, `the log ${when}`)
  expect(output, `the number field ${when}`).not.toContain(values.pin)
  expect(output, `a short value as a whole JSON string ${when}`).not.toContain(JSON.stringify(values.short))
  expect(output, `a short URL password ${when}`).not.toContain(`:${values.short}@`)
  expect(output, `a short URL password ${when}`).not.toContain(`:${encodeURIComponent(values.short)}@`)
}

/** Lines that are not JSON any more (a scrubbed number must leave a valid JSON value behind). */
function invalidLines(output: string): number {
  let invalid = 0
  for (const line of output.split('\n')) {
    if (line === '') continue
    try {
      JSON.parse(line)
    } catch {
      invalid++
    }
  }
  return invalid
}

function newValues(label: string): Values {
  return {
    signingKey: canary(`${label}-signing`, AWKWARD),
    inner: canary(`${label}-inner`, AWKWARD),
    password: canary(`${label}-pass`, AWKWARD),
    apiKey: canary(`${label}-key`, AWKWARD),
    pin: String(randomInt(100_000, 999_999)),
    short: `q${randomBytes(2).toString('hex').slice(0, 3)}!`,
  }
}

describe.each(Object.entries(setups))('leak matrix: %s', (_name, setup) => {
  let harness: Harness | undefined

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] })
  })

  afterEach(async () => {
    // Real time first, so that what the close releases is retained from now, not from 25 h ahead.
    vi.useRealTimers()
    await harness?.close()
    harness = undefined
  })

  it('never logs a value, before a rotation, right after it and 25 h later', async () => {
    const port = await closedPort()
    const before = newValues('before')
    const source = new MemorySource({
      'db/creds': secretJson(before, port),
      'api/key': before.apiKey,
      'api/key-copy': before.apiKey,
      'app/pin': before.short,
    })
    harness = await setup(source)
    const current = harness

    // Before: every value in every form.
    await emit(current, [before.signingKey, before.password, before.apiKey, before.pin, before.inner])
    current.log({ pin: before.short, pinNumber: Number(before.pin) }, 'short values standing whole')
    current.log({ dsn: `postgres://app:${before.short}@db.internal/app` }, 'short URL password')
    expectClean(current.output(), before, 'before the rotation')

    // Rotate one field of the JSON secret and one of two names that hold the same value.
    const newPassword = canary('after-pass', AWKWARD)
    const newKey = canary('after-key', AWKWARD)
    source.set('db/creds', secretJson({ ...before, password: newPassword }, port))
    source.set('api/key', newKey)
    await current.provider.refresh('db/creds')
    await current.provider.refresh('api/key')
    expect(await current.provider.getSecret('db/creds#password')).toBe(newPassword)
    expect(await current.provider.getSecret('api/key')).toBe(newKey)
    expect(await current.provider.getSecret('api/key-copy')).toBe(before.apiKey)

    // Right after: the old and the new values.
    await emit(current, [before.password, newPassword, before.apiKey, newKey, before.signingKey])
    expectClean(current.output(), before, 'right after the rotation')

    // 25 h later, past the retention of rotated-out values: every value still current is scrubbed —
    // the unchanged signing key, the pin, the new values, and the old key that api/key-copy still holds.
    vi.setSystemTime(Date.now() + 25 * HOUR)
    // The clock did move for the registry: the rotated-out password, held by nothing now, is past its retention.
    sharedRedactor().prune()
    expect(sharedRedactor().contains(before.password)).toBe(false)
    expect(sharedRedactor().contains(before.apiKey)).toBe(true)
    await emit(current, [before.signingKey, newPassword, newKey, before.apiKey, before.pin, before.inner])
    current.log({ pin: before.short }, 'short value standing whole')
    expectClean(current.output(), before, '25 h after the rotation')
    expect(current.output()).toContain(R)
    expect(invalidLines(current.output()), 'log lines that are no longer JSON').toBe(0)
  })
})

describe('leak matrix: Parameter Store path reads (real SDK over HTTP against the emulator)', () => {
  let emulator: ParameterStoreEmulator | undefined

  afterEach(async () => {
    await emulator?.close()
    emulator = undefined
  })

  it('scrubs SecureString parameters and the parts of one holding JSON, and leaves String configuration alone', async () => {
    emulator = await startParameterStoreEmulator()
    const password = canary('ps-pass', AWKWARD)
    const nested = canary('ps-nested', AWKWARD)
    emulator.putParameter('/app/cfg/db/password', password, { type: 'SecureString' })
    emulator.putParameter('/app/cfg/db/json', JSON.stringify({ user: 'app', password: nested }), {
      type: 'SecureString',
    })
    emulator.putParameter('/app/cfg/region', 'eu-west-1', { type: 'String' })
    emulator.putParameter('/app/cfg/level', 'info', { type: 'String' })
    emulator.putParameter('/app/cfg/hosts', 'a.internal,b.internal', { type: 'StringList' })
    const warnings: string[] = []
    const provider = new CachedSecretProvider(
      new AwsParameterStoreSource({ ...emulator.clientConfig, withDecryption: true }),
      { logger: { warn: (message) => warnings.push(message) } },
    )
    const out = capture()
    const log = pino(redactSecrets({ level: 'info' }), out.stream)
    try {
      const config = await provider.getJson<Record<string, string>>('/app/cfg/')
      const inner = JSON.parse(config['db/json'] as string) as { password: string }
      expect(inner.password).toBe(nested)
      for (const value of [password, nested]) {
        for (const form of formsOf(value)) log.info({ note: form }, `value=${form} end`)
      }
      log.info(
        { region: config.region, level: config.level, hosts: config.hosts },
        `starting in ${config.region}`,
      )
      const text = out.text()
      assertNoCanary(text, 'the log of a path read')
      const last = JSON.parse(text.trim().split('\n').at(-1) as string)
      expect(last).toMatchObject({
        region: 'eu-west-1',
        level: 'info',
        hosts: 'a.internal,b.internal',
        msg: 'starting in eu-west-1',
      })
      expect(invalidLines(text)).toBe(0)
      expect(warnings).toEqual([])
    } finally {
      await provider.close()
    }
  })

  it('never registers a String parameter read on its own, nor warns about a short one', async () => {
    emulator = await startParameterStoreEmulator()
    emulator.putParameter('/app/mode', 'on', { type: 'String' })
    emulator.putParameter('/app/port', '5432', { type: 'String' })
    const secure = canary('ps-secure')
    emulator.putParameter('/app/key', secure, { type: 'SecureString' })
    const warnings: string[] = []
    const redactor = new SecretRedactor()
    const provider = new CachedSecretProvider(
      new AwsParameterStoreSource({ ...emulator.clientConfig, withDecryption: true }),
      { redactor, logger: { warn: (message) => warnings.push(message) } },
    )
    try {
      expect(await provider.getSecret('/app/mode')).toBe('on')
      expect(await provider.getSecret('/app/port')).toBe('5432')
      expect(await provider.getSecret('/app/key')).toBe(secure)
      expect(redactor.size).toBe(1)
      expect(redactor.redact(`mode on port 5432 key ${secure}`)).toBe('mode on port 5432 key [REDACTED]')
      expect(warnings).toEqual([])
    } finally {
      await provider.close()
    }
  })
})
