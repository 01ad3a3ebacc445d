/**
 * Error causes never carry service text that echoes a value (issue 21): a source whose errors quote
 * a held value in their message, body and `errors` array — as a plain Error, a SecretError with a
 * service error as `cause`, and a frozen service error — leaves no trace of it in `err.cause`, the
 * 'error' events, the diagnostics channels or the logger.
 */
import diagnostics_channel from 'node:diagnostics_channel'
import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { DIAGNOSTICS_CHANNELS } from './diagnostics.js'
import { ErrorCode, SecretAccessDeniedError, SecretError, SecretUnavailableError } from './errors.js'
import { SecretRedactor } from './redactor.js'
import type { LoadedSecret, SecretSource } from './types.js'

class ServiceError extends Error {
  override name = 'ThrottlingException'
  code = 'Throttling'
  $metadata = { httpStatusCode: 400 }
}

/** Answers its value once, then fails with `fail(value)` on every reload. */
class EchoingSource implements SecretSource {
  readonly name = 'echo'
  loads = 0
  constructor(
    readonly value: string,
    readonly fail: (value: string) => unknown,
  ) {}
  load(): Promise<LoadedSecret> {
    return this.loads++ === 0
      ? Promise.resolve({ value: this.value, version: 'v1' })
      : Promise.reject(this.fail(this.value))
  }
}

const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup()
})

/** Everything published on latchkey's channels, as inspect text. */
function captureChannels(): string[] {
  const seen: string[] = []
  const record = (message: unknown) => seen.push(inspect(message, { depth: 8, showHidden: true }))
  for (const name of Object.values(DIAGNOSTICS_CHANNELS)) {
    if (typeof name !== 'string' || name.startsWith('tracing:')) continue
    diagnostics_channel.subscribe(name, record)
    cleanups.push(() => diagnostics_channel.unsubscribe(name, record))
  }
  const tracing = diagnostics_channel.tracingChannel('latchkey:load')
  const handlers = { start: record, end: record, asyncStart: record, asyncEnd: record, error: record }
  tracing.subscribe(handlers)
  cleanups.push(() => tracing.unsubscribe(handlers))
  return seen
}

const failures: Array<[string, (value: string) => unknown]> = [
  [
    'a plain Error quoting the value in message, body and errors[]',
    (value) =>
      Object.assign(new Error(`bad request: ${value}`), { body: `{"echo":"${value}"}`, errors: [value] }),
  ],
  [
    'a SecretError whose cause is a service error quoting the value',
    (value) =>
      new SecretUnavailableError(
        {
          cause: Object.assign(new ServiceError(`rate exceeded for ${value}`), { response: { body: value } }),
        },
        'the service is unavailable',
      ),
  ],
  [
    'a SecretError whose cause is a frozen service error quoting the value',
    (value) => new SecretAccessDeniedError({ cause: Object.freeze(new ServiceError(`denied: ${value}`)) }),
  ],
  ['a thrown string quoting the value', (value) => `failed: ${value}`],
]

describe.each(failures)('a reload failing with %s', (_label, fail) => {
  it.each([
    ['the shared redactor', undefined],
    ['a provider redactor of its own', new SecretRedactor()],
  ])('leaves no value in err.cause, events, channels or logs (%s)', async (_which, redactor) => {
    const value = canary('echoed')
    const logged: string[] = []
    const events: string[] = []
    const secrets = new CachedSecretProvider(new EchoingSource(value, fail), {
      minRefreshInterval: 0,
      confirmDenial: 0,
      retry: { retries: 0 },
      logger: { warn: (message, meta) => logged.push(inspect({ message, meta }, { depth: 8 })) },
      ...(redactor === undefined ? {} : { redactor }),
    })
    secrets.on('error', (event) => events.push(inspect(event, { depth: 8, showHidden: true })))
    const channels = captureChannels()
    expect(await secrets.getSecret('db')).toBe(value)
    const error = await secrets.refresh('db').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SecretError)
    const shown = inspect(error, { depth: 8, showHidden: true })
    assertNoCanary(shown, 'the error and its cause')
    assertNoCanary(String((error as SecretError).stack), 'the stack')
    assertNoCanary(JSON.stringify(channels), 'the diagnostics channels')
    assertNoCanary(JSON.stringify(events), "the 'error' events")
    assertNoCanary(JSON.stringify(logged), 'the logger')
    expect(channels.length).toBeGreaterThan(0)
    await secrets.close()
  })
})

describe('what a cleaned cause keeps', () => {
  it("keeps the service error's class, name, code and status, with the value scrubbed from its text", async () => {
    const value = canary('kept')
    const secrets = new CachedSecretProvider(
      new EchoingSource(
        value,
        (v) => new SecretUnavailableError({ cause: new ServiceError(`rate exceeded for ${v}`) }),
      ),
      { minRefreshInterval: 0, retry: { retries: 0 }, logger: { warn: () => undefined } },
    )
    await secrets.getSecret('db')
    const error = (await secrets.refresh('db').catch((e: unknown) => e)) as SecretError
    expect(error.code).toBe(ErrorCode.UNAVAILABLE)
    expect(error.cause).toBeInstanceOf(ServiceError)
    expect(error.cause).toMatchObject({
      name: 'ThrottlingException',
      code: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    })
    expect((error.cause as Error).message).toMatch(/^rate exceeded for /)
    assertNoCanary((error.cause as Error).message)
    await secrets.close()
  })

  it('replaces a frozen cause that quotes a value by its name, code and status only', async () => {
    const value = canary('frozen')
    const secrets = new CachedSecretProvider(
      new EchoingSource(
        value,
        (v) => new SecretAccessDeniedError({ cause: Object.freeze(new ServiceError(`denied ${v}`)) }),
      ),
      { minRefreshInterval: 0, confirmDenial: 0, logger: { warn: () => undefined } },
    )
    await secrets.getSecret('db')
    const error = (await secrets.refresh('db').catch((e: unknown) => e)) as SecretError
    expect(error.code).toBe(ErrorCode.ACCESS_DENIED)
    expect(error.cause).not.toBeInstanceOf(ServiceError)
    expect(error.cause).toMatchObject({ name: 'ThrottlingException', code: 'Throttling', statusCode: 400 })
    await secrets.close()
  })
})
