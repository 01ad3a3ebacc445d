import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { ScriptedSource } from '../test/scripted-source.js'
import { CachedSecretProvider } from './cache.js'
import {
  ErrorCode,
  InvalidSecretJsonError,
  SecretError,
  SecretNotFoundError,
  SecretUnavailableError,
  toSecretError,
} from './errors.js'
import { FileSource } from './sources/file.js'
import { MemorySource } from './sources/memory.js'

function everyRendering(error: unknown): string {
  const e = error as Error & Record<string, unknown>
  return [
    e.message,
    e.stack,
    String(e),
    inspect(e, { depth: 10, showHidden: true }),
    JSON.stringify(e),
    JSON.stringify(Object.getOwnPropertyNames(e).map((k) => [k, String(e[k])])),
  ].join('\n')
}

describe('error catalogue', () => {
  it('gives every error a code, a transient flag and the right base class', () => {
    const e = new SecretNotFoundError({ secretName: 'a', source: 'memory' })
    expect(e).toBeInstanceOf(SecretError)
    expect(e).toBeInstanceOf(Error)
    expect(e).toMatchObject({
      code: ErrorCode.NOT_FOUND,
      transient: false,
      secretName: 'a',
      source: 'memory',
    })
    expect(e.name).toBe('SecretNotFoundError')
    expect(new SecretUnavailableError().transient).toBe(true)
  })

  it('matches instanceof across module copies by brand and code', () => {
    const foreign = new SecretNotFoundError({ secretName: 'x' })
    const copy = Object.create(SecretError.prototype) as SecretError
    Object.assign(copy, foreign)
    expect(foreign).toBeInstanceOf(SecretNotFoundError)
    expect(foreign).not.toBeInstanceOf(SecretUnavailableError)
    expect({ code: ErrorCode.NOT_FOUND }).not.toBeInstanceOf(SecretError)
  })

  it('toSecretError keeps SecretErrors and wraps the rest as transient', () => {
    const cause = new Error('ECONNRESET')
    const wrapped = toSecretError(cause, 'a', 'src')
    expect(wrapped).toBeInstanceOf(SecretUnavailableError)
    expect(wrapped.cause).toBe(cause)
    const kept = new InvalidSecretJsonError('bad')
    expect(toSecretError(kept, 'b', 'src')).toBe(kept)
    expect(kept.secretName).toBe('b')
  })
})

describe('canary: no error path leaks a value', () => {
  it('covers not found, invalid JSON, missing field, too large, closed, rotation, file traversal', async () => {
    const value = canary('err', '"\\%+')
    const source = new MemorySource({
      json: `{"ok": "${value}", broken`,
      plain: value,
      big: value.padEnd(70_000, '.'),
    })
    const p = new CachedSecretProvider(source, { logger: { warn: () => undefined }, retry: { retries: 0 } })
    const errors: unknown[] = []
    const capture = (promise: Promise<unknown>) => promise.catch((e: unknown) => errors.push(e))
    await capture(p.getSecret('missing'))
    await capture(p.getJson('json'))
    await capture(p.getJson('plain'))
    await capture(p.getSecret('plain#field'))
    await capture(p.getSecret('big'))
    await capture(p.preload(['json#ok', 'plain#x', 'missing']))
    const throwing = new ScriptedSource().always('t', new Error(`driver said nothing useful`))
    await capture(new CachedSecretProvider(throwing, { retry: { retries: 0 } }).getSecret('t'))
    const files = new FileSource({ dir: '/tmp' })
    await capture(files.load('../etc/passwd'))
    await p.close()
    await capture(p.getSecret('plain'))
    expect(errors.length).toBe(9)
    for (const error of errors) {
      expect(error).toBeInstanceOf(SecretError)
      expect((error as SecretError).code).toMatch(/^ERR_/)
      assertNoCanary(everyRendering(error), `error ${(error as SecretError).code}`)
    }
  })
})
