import { SecretUnavailableError } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { ADVERSARIAL, captureStream, lastLine, loadedProvider } from '../test/support.js'
import { redactSecrets } from './redact-secrets.js'
import { type SerializedError, serializeError } from './serialize-error.js'

describe('serializeError', () => {
  it('keeps type, message, stack, code and custom properties', () => {
    const error = Object.assign(new TypeError('bad input'), { code: 'E_BAD', status: 400, retry: () => 1 })
    const out = serializeError(error) as SerializedError
    expect(out).toEqual({
      type: 'TypeError',
      message: 'bad input',
      stack: error.stack,
      code: 'E_BAD',
      status: 400,
    })
  })

  it('names latchkey errors by class and keeps their code and secret name', () => {
    const out = serializeError(new SecretUnavailableError({ secretName: 'db/password', source: 'vault-kv' }))
    expect(out).toMatchObject({
      type: 'SecretUnavailableError',
      code: 'ERR_SECRET_UNAVAILABLE',
      secretName: 'db/password',
      source: 'vault-kv',
      transient: true,
    })
  })

  it('follows the cause chain and marks a cycle', () => {
    const root = new Error('root')
    const middle = new Error('middle', { cause: root })
    const top = new Error('top', { cause: middle })
    root.cause = top
    const out = serializeError(top) as SerializedError
    expect(out.message).toBe('top')
    expect(out.cause).toMatchObject({
      type: 'Error',
      message: 'middle',
      cause: { message: 'root', cause: '[Circular]' },
    })
  })

  it('cuts a very long cause chain', () => {
    let error = new Error('0')
    for (let i = 1; i <= 20; i++) error = new Error(String(i), { cause: error })
    let out = serializeError(error) as SerializedError
    let depth = 0
    while (typeof out.cause === 'object') {
      out = out.cause as SerializedError
      depth++
    }
    expect(depth).toBe(10)
    expect(out.cause).toBe('[Truncated]')
  })

  it('keeps non-error causes as they are', () => {
    expect(serializeError(new Error('x', { cause: { status: 503 } }))).toMatchObject({
      cause: { status: 503 },
    })
    expect(serializeError(new Error('x', { cause: 'timeout' }))).toMatchObject({ cause: 'timeout' })
  })

  it('serializes the errors of an AggregateError', () => {
    const out = serializeError(new AggregateError([new Error('a'), new RangeError('b')], 'both failed'))
    expect(out).toMatchObject({
      type: 'AggregateError',
      message: 'both failed',
      aggregateErrors: [
        { type: 'Error', message: 'a' },
        { type: 'RangeError', message: 'b' },
      ],
    })
  })

  it("serializes the error behind pino-http's wrapped copy (its raw property)", () => {
    const wrapped = pino.stdSerializers.err(new Error('outer', { cause: new RangeError('inner') }))
    expect(serializeError(wrapped)).toMatchObject({
      type: 'Error',
      message: 'outer',
      cause: { type: 'RangeError', message: 'inner' },
    })
  })

  it('returns anything that is not an error unchanged', () => {
    const plain = { message: 'not an error' }
    for (const value of [null, undefined, 'boom', 42, plain]) expect(serializeError(value)).toBe(value)
  })

  it('never throws on getters that throw, null prototypes or revoked proxies', () => {
    const nasty = new Error('nasty')
    Object.defineProperty(nasty, 'message', {
      get() {
        throw new Error('no message for you')
      },
    })
    Object.defineProperty(nasty, 'detail', {
      enumerable: true,
      get() {
        throw new Error('no detail either')
      },
    })
    Object.defineProperty(nasty, 'cause', {
      get() {
        throw new Error('no cause')
      },
    })
    expect(serializeError(nasty)).toMatchObject({ type: 'Error', message: '' })
    expect(serializeError(nasty)).not.toHaveProperty('detail')

    const bare = Object.assign(Object.create(null), { message: 'bare' })
    expect(serializeError(bare)).toBe(bare)

    const { proxy, revoke } = Proxy.revocable(new Error('gone'), {})
    revoke()
    expect(serializeError(proxy)).toEqual({ type: 'Error', message: '[unserializable error]' })

    const throwingConstructor = new Error('ctor')
    Object.defineProperty(throwingConstructor, 'constructor', {
      get() {
        throw new Error('no constructor')
      },
    })
    expect(serializeError(throwingConstructor)).toMatchObject({ type: 'Error', message: 'ctor' })
  })

  it('keeps every readable field when one getter throws', () => {
    const partly = Object.assign(new RangeError('partly'), { code: 'E_PART', status: 503 })
    // V8 formats the stack on first read, from the message: read it before the message breaks
    const stack = partly.stack
    Object.defineProperty(partly, 'message', {
      get() {
        throw new Error('no message')
      },
    })
    expect(serializeError(partly)).toEqual({
      type: 'RangeError',
      message: '',
      stack,
      code: 'E_PART',
      status: 503,
    })
  })

  it('lets pino log an error with a secret in a cyclic cause chain without leaking it', async () => {
    const secret = canary('err', ADVERSARIAL.everything)
    const { provider } = await loadedProvider({ 'api/key': secret })
    const capture = captureStream()
    const log = pino(redactSecrets({ latchkey: { provider } }), capture.stream)
    const inner = new Error(`upstream said ${secret}`)
    const outer = Object.assign(new Error('request failed', { cause: inner }), {
      request: { url: `/v1?key=${secret}` },
    })
    inner.cause = outer
    log.error(outer)
    expect(lastLine(capture)).toMatchObject({
      msg: 'request failed',
      err: {
        type: 'Error',
        message: 'request failed',
        request: { url: '/v1?key=[REDACTED]' },
        cause: { message: 'upstream said [REDACTED]', cause: '[Circular]' },
      },
    })
    assertNoCanary(capture.text(), 'the pino output')
    await provider.close()
  })
})
