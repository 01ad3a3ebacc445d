import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CachedSecretProvider, MemorySource, SecretRedactor, sharedRedactor } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import pino10, { type Logger, type LoggerOptions } from 'pino'
import { pinoHttp } from 'pino-http'
import pino9 from 'pino9'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ADVERSARIAL, captureStream, lastLine, loadedProvider } from '../test/support.js'
import { redactSecrets } from './redact-secrets.js'

type CreateLogger = (options: LoggerOptions, stream: ReturnType<typeof captureStream>['stream']) => Logger

const PINOS: Array<[string, CreateLogger]> = [
  ['pino 10', (options, stream) => pino10(options, stream)],
  // Our types come from the installed pino (10); a pino 9 app resolves them from its own pino 9.
  ['pino 9', (options, stream) => pino9(options as pino9.LoggerOptions, stream) as unknown as Logger],
]

const R = '[REDACTED]'

describe.each(PINOS)('redactSecrets with %s', (_version, createLogger) => {
  describe.each(Object.entries(ADVERSARIAL))('a secret with %s', (label, extra) => {
    let secret: string
    let provider: CachedSecretProvider
    let capture: ReturnType<typeof captureStream>
    let log: Logger

    beforeEach(async () => {
      secret = canary(label, extra)
      ;({ provider } = await loadedProvider({ 'app/secret': secret }))
      capture = captureStream()
      log = createLogger(redactSecrets({ latchkey: { provider } }), capture.stream)
    })

    afterEach(async () => {
      assertNoCanary(capture.text(), 'the pino output')
      await provider.close()
    })

    it('is scrubbed from the message', () => {
      log.info(`connecting with ${secret} now`)
      expect(lastLine(capture).msg).toBe(`connecting with ${R} now`)
    })

    it('is scrubbed from a %s argument', () => {
      log.info('token %s used', secret)
      expect(lastLine(capture).msg).toBe(`token ${R} used`)
    })

    it('is scrubbed from a %j argument', () => {
      log.info('config %j', { value: secret, port: 5432 })
      expect(lastLine(capture).msg).toBe(`config {"value":"${R}","port":5432}`)
    })

    it('is scrubbed from a %o argument', () => {
      log.info('args %o', [secret, 1])
      expect(lastLine(capture).msg).toBe(`args ["${R}",1]`)
    })

    it('is scrubbed from nested objects and arrays', () => {
      log.info({ job: { steps: [{ env: { DB_URL: secret } }], tags: ['x', secret] } }, 'job')
      const line = lastLine(capture) as { job: { steps: Array<{ env: { DB_URL: string } }>; tags: string[] } }
      expect(line.job.steps[0]?.env.DB_URL).toBe(R)
      expect(line.job.tags).toEqual(['x', R])
    })

    it('is scrubbed from err.message (and the stack that repeats it)', () => {
      log.error(new Error(`login failed for ${secret}`))
      const line = lastLine(capture) as { msg: string; err: { message: string; stack: string; type: string } }
      expect(line.err.type).toBe('Error')
      expect(line.err.message).toBe(`login failed for ${R}`)
      expect(line.msg).toBe(`login failed for ${R}`)
      expect(line.err.stack.startsWith(`Error: login failed for ${R}\n`)).toBe(true)
    })

    it('is scrubbed from err.stack', () => {
      const error = new Error('connect failed')
      error.stack = `Error: connect failed\n    at connect (${secret}:1:2)`
      log.error({ err: error }, 'db')
      const line = lastLine(capture) as { err: { stack: string } }
      expect(line.err.stack).toBe(`Error: connect failed\n    at connect (${R}:1:2)`)
    })

    it('is scrubbed from every error in a cause chain', () => {
      const inner = new Error(`auth rejected ${secret}`)
      const middle = new Error('pool error', { cause: inner })
      log.error({ err: new Error(`query failed (${secret})`, { cause: middle }) }, 'query')
      const line = lastLine(capture) as {
        err: { message: string; cause: { cause: { message: string; stack: string } } }
      }
      expect(line.err.message).toBe(`query failed (${R})`)
      expect(line.err.cause.cause.message).toBe(`auth rejected ${R}`)
      expect(line.err.cause.cause.stack).toContain(`auth rejected ${R}`)
    })

    it('is scrubbed from a URL-encoded connection string', () => {
      log.info({ dsn: `postgres://app:${encodeURIComponent(secret)}@db:5432/app?sslmode=require` }, 'pool')
      expect(lastLine(capture).dsn).toBe(`postgres://app:${R}@db:5432/app?sslmode=require`)
    })

    it('is scrubbed from a form-encoded query string', () => {
      log.info(`GET /callback?${new URLSearchParams({ code: secret, state: 'x' })}`)
      expect(lastLine(capture).msg).toBe(`GET /callback?code=${R}&state=x`)
    })

    it('is scrubbed from a JSON string logged inside a log object', () => {
      log.info({ body: JSON.stringify({ apiKey: secret }) }, 'upstream')
      expect(lastLine(capture).body).toBe(`{"apiKey":"${R}"}`)
    })

    it('is scrubbed from child logger bindings', () => {
      log.child({ connection: secret }).info('child')
      expect(lastLine(capture).connection).toBe(R)
    })
  })

  it('scrubs a value that was just rotated out, and the new one', async () => {
    const before = canary('rotating', ADVERSARIAL.everything)
    const { provider, source } = await loadedProvider({ 'db/password': before })
    const capture = captureStream()
    const log = createLogger(redactSecrets({ latchkey: { provider } }), capture.stream)
    const after = canary('rotated', ADVERSARIAL.quotes)
    source.set('db/password', after)
    await provider.refresh('db/password')
    expect(await provider.getSecret('db/password')).toBe(after)

    log.info({ old: before, current: after }, `old ${before} new ${after}`)
    const line = lastLine(capture)
    expect(line).toMatchObject({ old: R, current: R, msg: `old ${R} new ${R}` })
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })

  it('scrubs values loaded after the logger was created', async () => {
    const { provider, source } = await loadedProvider({ first: canary('first') })
    const capture = captureStream()
    const log = createLogger(redactSecrets({ latchkey: { provider } }), capture.stream)
    const late = canary('late', ADVERSARIAL.emoji)
    source.set('second', late)
    await provider.getSecret('second')
    log.info(`late ${late}`)
    expect(lastLine(capture).msg).toBe(`late ${R}`)
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })

  it('scrubs every one of 1,000 loaded values', async () => {
    const values: Record<string, string> = {}
    for (let i = 0; i < 1_000; i++)
      values[`bulk/${i}`] = canary(`bulk${i}`, i % 2 === 0 ? ADVERSARIAL.everything : '')
    const { provider } = await loadedProvider(values)
    const capture = captureStream()
    const log = createLogger(redactSecrets({ latchkey: { provider } }), capture.stream)
    const all = Object.values(values)
    for (let i = 0; i < all.length; i += 100) log.info({ batch: all.slice(i, i + 100) }, 'batch')
    const batches = capture.lines().map((line) => line.batch as string[])
    expect(batches).toHaveLength(10)
    for (const batch of batches) expect(batch).toEqual(Array.from({ length: 100 }, () => R))
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })

  it('scrubs values shorter than the minimum length only where they stand whole, and reports that once without the value', async () => {
    const { provider, source, logger } = await loadedProvider({ 'app/pin': '4821' })
    const capture = captureStream()
    const log = createLogger(redactSecrets({ latchkey: { provider } }), capture.stream)
    log.info({ pin: '4821' }, 'pin is 4821')
    expect(lastLine(capture)).toMatchObject({ pin: R, msg: 'pin is 4821' })
    source.set('app/pin', '9907')
    await provider.refresh('app/pin')

    const warnings = logger.warn.mock.calls.filter(([message]) => String(message).includes('shorter'))
    expect(warnings).toHaveLength(1)
    const [message, meta] = warnings[0] as [string, object]
    expect(message).toContain('app/pin')
    expect(meta).toMatchObject({ secretName: 'app/pin' })
    expect(`${message} ${JSON.stringify(meta)}`).not.toMatch(/4821|9907/)
    await provider.close()
  })

  it('censors the usual sensitive keys at the top and one or two levels down', async () => {
    const { provider } = await loadedProvider({})
    const capture = captureStream()
    const log = createLogger(redactSecrets({ latchkey: { provider } }), capture.stream)
    log.info(
      {
        password: 'hunter2-top',
        user: {
          name: 'ada',
          apiKey: 'key-one-down',
          profile: { accessToken: 'token-two-down', theme: 'dark' },
        },
        headers: { Authorization: 'Bearer abc', cookie: 'sid=1' },
        list: [{ secret: 'in-array' }],
      },
      'keys',
    )
    expect(lastLine(capture)).toMatchObject({
      password: R,
      user: { name: 'ada', apiKey: R, profile: { accessToken: R, theme: 'dark' } },
      headers: { Authorization: R, cookie: R },
      list: [{ secret: R }],
    })
    await provider.close()
  })
})

describe('redactSecrets option merging', () => {
  let provider: CachedSecretProvider
  let secret: string

  beforeEach(async () => {
    secret = canary('merge', ADVERSARIAL.everything)
    ;({ provider } = await loadedProvider({ 'app/secret': secret }))
  })

  afterEach(async () => {
    await provider.close()
  })

  it('runs the caller streamWrite first and scrubs what it returns', () => {
    const capture = captureStream()
    const seen: string[] = []
    const escaped = JSON.stringify(secret).slice(1, -1)
    const options = redactSecrets({
      latchkey: { provider },
      hooks: {
        streamWrite: (line: string) => {
          seen.push(line.includes(escaped) ? 'unscrubbed' : 'scrubbed')
          return line.replace('"msg":"', `"msg":"[${escaped}] `)
        },
      },
    })
    const log = pino10(options, capture.stream)
    log.info(`value ${secret}`)
    expect(seen).toEqual(['unscrubbed'])
    expect(lastLine(capture).msg).toBe(`[${R}] value ${R}`)
    assertNoCanary(capture.text(), 'the pino output')
  })

  it('keeps the caller logMethod hook', () => {
    const capture = captureStream()
    const log = pino10(
      redactSecrets({
        latchkey: { provider },
        hooks: {
          logMethod(args, method) {
            method.apply(this, [`[hooked] ${String(args[0])}`])
          },
        },
      }),
      capture.stream,
    )
    log.info(`value ${secret}`)
    expect(lastLine(capture).msg).toBe(`[hooked] value ${R}`)
  })

  it('merges serializers: the caller adds keys and may replace ours', () => {
    const capture = captureStream()
    const log = pino10(
      redactSecrets({
        latchkey: { provider },
        serializers: { user: (user: { id: number }) => ({ id: user.id }), res: () => 'custom res' },
      }),
      capture.stream,
    )
    log.info({
      user: { id: 7, pin: 1 },
      res: { statusCode: 200 },
      req: { method: 'GET', url: '/', headers: { cookie: secret } },
    })
    expect(lastLine(capture)).toMatchObject({
      user: { id: 7 },
      res: 'custom res',
      req: { method: 'GET', url: '/' },
    })
    expect((lastLine(capture).req as Record<string, unknown>).headers).toBeUndefined()
    assertNoCanary(capture.text(), 'the pino output')
  })

  it('passes an array of redact paths to pino with the [REDACTED] censor, alongside the key censor', () => {
    const capture = captureStream()
    const log = pino10(redactSecrets({ latchkey: { provider }, redact: ['customer.ssn'] }), capture.stream)
    log.info({ customer: { ssn: '078-05-1120', name: 'ada' }, password: 'x' })
    expect(lastLine(capture)).toMatchObject({ customer: { ssn: R, name: 'ada' }, password: R })
  })

  it('applies the caller censor and remove to its own paths and to the sensitive keys', () => {
    const capture = captureStream()
    const log = pino10(
      redactSecrets({ latchkey: { provider }, redact: { paths: ['customer.ssn'], censor: '***' } }),
      capture.stream,
    )
    log.info({ customer: { ssn: '078-05-1120' }, password: 'x', note: secret })
    expect(lastLine(capture)).toMatchObject({ customer: { ssn: '***' }, password: '***', note: R })

    const removed = captureStream()
    const quiet = pino10(
      redactSecrets({ latchkey: { provider }, redact: { paths: ['customer.ssn'], remove: true } }),
      removed.stream,
    )
    quiet.info({ customer: { ssn: '078-05-1120', name: 'ada' }, user: { password: 'x', name: 'bo' } })
    const line = lastLine(removed)
    expect(line.customer).toEqual({ name: 'ada' })
    expect(line.user).toEqual({ name: 'bo' })
  })

  it('calls a censor function with the value and its path', () => {
    const capture = captureStream()
    const paths: string[][] = []
    const log = pino10(
      redactSecrets({
        latchkey: { provider },
        redact: {
          paths: [],
          censor: (_value: unknown, path: string[]) => {
            paths.push(path)
            return `<${path.join('.')}>`
          },
        },
      }),
      capture.stream,
    )
    log.info({ db: { primary: { apiKey: 'x' } }, pwd: 'y', session: 'z' })
    expect(lastLine(capture)).toMatchObject({
      db: { primary: { apiKey: '<db.primary.apiKey>' } },
      pwd: '<pwd>',
      // credential keys are censored in the finished line as well, with the string replacement
      session: R,
    })
    expect(paths).toEqual([['db', 'primary', 'apiKey'], ['pwd']])
  })

  it('keeps the caller formatters and runs its log formatter before the key censor', () => {
    const capture = captureStream()
    const log = pino10(
      redactSecrets({
        latchkey: { provider },
        formatters: {
          level: (label: string) => ({ severity: label.toUpperCase() }),
          log: (object: Record<string, unknown>) => ({ ...object, token: 'added-by-formatter' }),
        },
      }),
      capture.stream,
    )
    log.info({ a: 1 }, 'formatted')
    expect(lastLine(capture)).toMatchObject({ severity: 'INFO', a: 1, token: R })
  })

  it('does not modify the caller options or the logged objects', () => {
    const streamWrite = (line: string) => line
    const given = {
      level: 'debug',
      hooks: { streamWrite },
      serializers: { user: (u: unknown) => u },
      redact: ['a.b'],
      formatters: { bindings: (b: Record<string, unknown>) => b },
    }
    const snapshot = {
      ...given,
      hooks: { ...given.hooks },
      serializers: { ...given.serializers },
      redact: [...given.redact],
    }
    const options = redactSecrets(given)
    expect(given).toEqual(snapshot)
    expect(given.hooks.streamWrite).toBe(streamWrite)
    expect(options.level).toBe('debug')
    expect(options.formatters?.bindings).toBe(given.formatters.bindings)

    const capture = captureStream()
    const payload = { user: { password: 'hunter2', name: 'ada' } }
    pino10(options, capture.stream).info(payload)
    expect(payload.user.password).toBe('hunter2')
    expect(lastLine(capture)).toMatchObject({ user: { password: R, name: 'ada' } })
  })

  it('with keys: [] censors only the credential keys, and keeps scrubbing values', () => {
    const capture = captureStream()
    const log = pino10(redactSecrets({ latchkey: { provider, keys: [] } }), capture.stream)
    log.info({ pwd: 'plain', apiKey: 'plain', password: 'x', other: secret })
    expect(lastLine(capture)).toMatchObject({ pwd: 'plain', apiKey: 'plain', password: R, other: R })
    assertNoCanary(capture.text(), 'the pino output')
  })

  it('censors custom keys instead of the default extra keys, at any depth', () => {
    const capture = captureStream()
    const log = pino10(redactSecrets({ latchkey: { provider, keys: ['ssn'] } }), capture.stream)
    log.info({ ssn: '078-05-1120', pwd: 'plain', person: { SSN: 'x', deeper: { more: { ssn: 'y' } } } })
    expect(lastLine(capture)).toMatchObject({
      ssn: R,
      pwd: 'plain',
      person: { SSN: R, deeper: { more: { ssn: R } } },
    })
  })

  it('keeps booleans, numbers and null under sensitive keys', () => {
    const capture = captureStream()
    const log = pino10(redactSecrets({ latchkey: { provider } }), capture.stream)
    log.info({ password: true, token: 42, secret: null, user: { apiKey: false, pwd: 'x' } })
    expect(lastLine(capture)).toMatchObject({
      password: true,
      token: 42,
      secret: null,
      user: { apiKey: false, pwd: R },
    })
  })

  it('withholds lines once the redactor fails instead of writing them unscrubbed', () => {
    let calls = 0
    const failing = new SecretRedactor()
    Object.defineProperty(failing, Symbol.for('@latchkey/core.redactor.lineScan.v1'), {
      value: () => ({
        findValues(): never {
          calls++
          throw new URIError('URI malformed')
        },
      }),
    })
    const capture = captureStream()
    const log = pino10(redactSecrets({ latchkey: { provider: { redactor: failing } } }), capture.stream)
    log.info(`first ${secret}`)
    log.info('second')
    const lines = capture.lines()
    expect(lines).toHaveLength(2)
    for (const line of lines) {
      expect(line).toMatchObject({
        level: 50,
        msg: 'latchkey: log line withheld because secret scrubbing failed',
      })
    }
    expect(calls).toBe(1)
    assertNoCanary(capture.text(), 'the pino output')
  })

  it('throws ERR_SECRET_INVALID_OPTIONS naming the option that has the wrong type', () => {
    const call = redactSecrets as (...args: unknown[]) => unknown
    const bad: Array<[() => unknown, string]> = [
      [() => call(null), 'options'],
      [() => call('info'), 'options'],
      [() => call({ latchkey: 'x' }), 'options.latchkey'],
      [() => call({ latchkey: { provider: { redactor: {} } } }), 'latchkey.provider'],
      [() => call({ latchkey: { provider: null } }), 'latchkey.provider'],
      [() => call({ latchkey: { headers: [1] } }), 'latchkey.headers'],
      [() => call({ latchkey: { keys: 'password' } }), 'latchkey.keys'],
      [() => call({ latchkey: { key: ['ssn'] } }), 'latchkey.key'],
      [() => call({ redact: 'password' }), 'redact'],
      [() => call({ redact: { censor: 'x' } }), 'redact'],
      [() => call({ hooks: { streamWrite: 'x' } }), 'hooks.streamWrite'],
      [() => call({ formatters: { log: 1 } }), 'formatters.log'],
      // the call forms of the first release are gone, and say what to write instead
      [() => call({ level: 'info' }, { keys: ['ssn'] }), 'one options object'],
      [() => call({ level: 'info' }, undefined), 'one options object'],
      [() => call(provider, { level: 'info' }), 'one options object'],
      [() => call(provider), 'latchkey: { provider }'],
    ]
    for (const [run, name] of bad) {
      expect(run).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }))
      expect(run).toThrow(name)
    }
  })
})

describe('redactSecrets with other pino destinations', () => {
  it('scrubs lines sent through pino.multistream', async () => {
    const secret = canary('multi', ADVERSARIAL.everything)
    const { provider } = await loadedProvider({ 'app/secret': secret })
    const first = captureStream()
    const second = captureStream()
    const log = pino10(
      redactSecrets({ latchkey: { provider } }),
      pino10.multistream([{ stream: first.stream }, { stream: second.stream, level: 'warn' }]),
    )
    log.warn(`multi ${secret}`)
    for (const capture of [first, second]) {
      expect(lastLine(capture).msg).toBe(`multi ${R}`)
      assertNoCanary(capture.text(), 'the pino output')
    }
    await provider.close()
  })

  it('scrubs lines before they reach a transport worker', async () => {
    const secret = canary('transport', ADVERSARIAL.everything)
    const { provider } = await loadedProvider({ 'app/secret': secret })
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-pino-'))
    const file = join(dir, 'app.log')
    const transport = pino10.transport({ target: 'pino/file', options: { destination: file } })
    const log = pino10(redactSecrets({ latchkey: { provider } }), transport)
    log.info({ dsn: `postgres://app:${encodeURIComponent(secret)}@db/app` }, `transport ${secret}`)
    await new Promise<void>((resolve) => {
      transport.on('close', () => resolve())
      transport.end()
    })
    const text = await readFile(file, 'utf8')
    expect(JSON.parse(text.trim())).toMatchObject({
      dsn: `postgres://app:${R}@db/app`,
      msg: `transport ${R}`,
    })
    assertNoCanary(text, 'the transport output')
    await rm(dir, { recursive: true, force: true })
    await provider.close()
  })
})

describe('redactSecrets and the process-wide registry', () => {
  it('scrubs every provider in the process without naming one, including providers made after the logger', async () => {
    const capture = captureStream()
    const log = pino10(redactSecrets(), capture.stream)
    const first = canary('first', ADVERSARIAL.quotes)
    const second = canary('second', ADVERSARIAL.spaces)
    const { provider: one } = await loadedProvider({ 'db/password': first })
    const { provider: two } = await loadedProvider({ 'api/key': second })
    log.info(`connect postgres://app:${encodeURIComponent(first)}@db/app with key ${second}`)
    expect(lastLine(capture).msg).toBe(`connect postgres://app:${R}@db/app with key ${R}`)
    assertNoCanary(capture.text(), 'the pino output')
    await Promise.all([one.close(), two.close()])
  })

  it('scrubs a number secret logged as a number and keeps the line JSON', async () => {
    const pin = String(100_000 + Math.floor(Math.random() * 900_000))
    const { provider } = await loadedProvider({
      'app/creds': JSON.stringify({ password: canary('pin-holder'), pin: Number(pin) }),
    })
    await provider.getSecret('app/creds#pin')
    const capture = captureStream()
    const log = pino10(redactSecrets(), capture.stream)
    log.info({ pin: Number(pin), list: [Number(pin)], note: `pin ${pin}` }, 'numbers')
    expect(lastLine(capture)).toMatchObject({ pin: R, list: [R], note: `pin ${R}` })
    expect(capture.text()).not.toContain(pin)
    await provider.close()
  })

  it("keeps the secret name of a latchkey error, and its code, in the err serializer's output", async () => {
    const { provider } = await loadedProvider({})
    const capture = captureStream()
    const log = pino10(redactSecrets(), capture.stream)
    const error = await provider.getSecret('db/missing').catch((caught: unknown) => caught)
    log.error({ err: error }, 'lookup failed')
    expect(lastLine(capture)).toMatchObject({
      err: { code: 'ERR_SECRET_NOT_FOUND', secretName: 'db/missing' },
    })
    await provider.close()
  })

  it('takes pino options first, without a provider', async () => {
    const secret = canary('options-first')
    const { provider } = await loadedProvider({ 'app/secret': secret })
    const capture = captureStream()
    const options = redactSecrets({ level: 'warn', name: 'api', latchkey: { keys: ['ssn'] } })
    expect(options.level).toBe('warn')
    const log = pino10(options, capture.stream)
    log.info(`hidden ${secret}`)
    log.warn({ ssn: '078-05-1120' }, `seen ${secret}`)
    expect(capture.lines()).toHaveLength(1)
    expect(lastLine(capture)).toMatchObject({ name: 'api', ssn: R, msg: `seen ${R}` })
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })

  it('also scrubs a provider that opted out of the shared registry when it is passed', async () => {
    const secret = canary('opted-out', ADVERSARIAL.percent)
    const provider = new CachedSecretProvider(new MemorySource({ 'app/secret': secret }), {
      redactor: new SecretRedactor(),
    })
    await provider.preload(['app/secret'])
    expect(provider.redactor).not.toBe(sharedRedactor())
    expect(sharedRedactor().contains(secret)).toBe(false)
    const capture = captureStream()
    const log = pino10(redactSecrets({ level: 'info', latchkey: { provider } }), capture.stream)
    log.info(`opted out ${secret}`)
    expect(lastLine(capture).msg).toBe(`opted out ${R}`)
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })

  it('censors credential headers when pino-http swaps in its own serializers', async () => {
    const secret = canary('pino-http')
    const capture = captureStream()
    const logger = pino10(redactSecrets(), capture.stream)
    const httpLogger = pinoHttp({ logger })
    const server = createServer((req, res) => {
      httpLogger(req, res)
      res.setHeader('set-cookie', 'sid=server-cookie')
      res.end('ok')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const response = await fetch(`http://127.0.0.1:${port}/orders`, {
      headers: {
        authorization: `Bearer ${secret}`,
        cookie: `sid=${secret}`,
        'x-auth-token': secret,
        'x-csrf-token': secret,
        'x-session-id': secret,
        'api-key': secret,
        'x-goog-api-key': secret,
        'ocp-apim-subscription-key': secret,
        'x-functions-key': secret,
        'x-access-key': secret,
        'user-agent': 'leak-test',
      },
    })
    await response.text()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    const line = capture.lines().find((entry) => entry.msg === 'request completed') as {
      req: { headers: Record<string, unknown> }
      res: { headers: Record<string, unknown> }
    }
    expect(line.req.headers).toMatchObject({
      authorization: R,
      cookie: R,
      'x-auth-token': R,
      'x-csrf-token': R,
      'x-session-id': R,
      'api-key': R,
      'x-goog-api-key': R,
      'ocp-apim-subscription-key': R,
      'x-functions-key': R,
      'x-access-key': R,
      'user-agent': 'leak-test',
    })
    expect(line.res.headers['set-cookie']).toBe(R)
    assertNoCanary(capture.text(), 'the pino-http output')
  })
})
