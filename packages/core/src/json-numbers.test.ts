/**
 * Big JSON numbers (issue 21): a field past 2^53 comes back as written, getJson refuses a number a
 * double would round, nothing is silently changed.
 */
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode, InvalidSecretJsonError } from './errors.js'
import { fieldSpan, firstInexactNumber, isExactNumber } from './json-numbers.js'
import { MemorySource } from './sources/memory.js'

const quiet = { logger: { warn: () => undefined } }

describe('isExactNumber', () => {
  it('accepts every number a double holds, however it is written', () => {
    for (const token of [
      '0',
      '-0',
      '0.0',
      '1',
      '1.0',
      '1e2',
      '100',
      '1E+2',
      '-2.5e-3',
      '9007199254740992',
      '0.1',
      '1.5e300',
      '5e-324',
    ]) {
      expect(isExactNumber(token), token).toBe(true)
    }
  })

  it('refuses integers past 2^53 and decimals with more digits than a double keeps', () => {
    for (const token of [
      '123456789012345678',
      '9007199254740993',
      '-9007199254740993',
      '0.10000000000000000001',
      '1.00000000000000000001e5',
      '1e999',
      '-1e999',
    ]) {
      expect(isExactNumber(token), token).toBe(false)
    }
  })
})

describe('fieldSpan and firstInexactNumber', () => {
  it('finds the last of duplicate keys at the top level only, past strings that look like JSON', () => {
    const text = '{"a":1, "s":"\\"a\\":9,{[", "n":{"a":2}, "a" : [1, 123456789012345678] }'
    const span = fieldSpan(text, 'a') as { start: number; end: number }
    expect(text.slice(span.start, span.end)).toBe('[1, 123456789012345678]')
    expect(firstInexactNumber(text, span.start, span.end)).toBe(text.indexOf('1234'))
    expect(fieldSpan(text, 'missing')).toBeUndefined()
    expect(firstInexactNumber('{"x":"123456789012345678"}')).toBeUndefined()
  })

  it('decodes escaped keys', () => {
    const text = '{"\\u0061b":123456789012345678}'
    const span = fieldSpan(text, 'ab') as { start: number; end: number }
    expect(text.slice(span.start, span.end)).toBe('123456789012345678')
  })
})

describe('big numbers through the provider', () => {
  it("returns a field's number as written when a double would change it", async () => {
    const secret = `{"client_id":123456789012345678,"name":"${canary('n')}","small":1e2,"neg":-9007199254740993.0}`
    const secrets = new CachedSecretProvider(new MemorySource({ x: secret }), quiet)
    expect(await secrets.getSecret('x#client_id')).toBe('123456789012345678')
    expect(await secrets.getSecret('x#neg')).toBe('-9007199254740993.0')
    // an exact number keeps coming back as JavaScript prints it
    expect(await secrets.getSecret('x#small')).toBe('100')
    expect(secrets.handle('x#client_id').reveal()).toBe('123456789012345678')
    await secrets.close()
  })

  it('refuses an object field holding such a number, and getJson / handle.json() too, with a typed error', async () => {
    const text = '{"ids":[1,123456789012345678],"ok":{"a":1}}'
    const secrets = new CachedSecretProvider(new MemorySource({ x: text }), quiet)
    await expect(secrets.getSecret('x#ids')).rejects.toMatchObject({
      code: ErrorCode.INVALID_JSON,
      field: 'ids',
    })
    expect(await secrets.getSecret('x#ok')).toBe('{"a":1}')
    const error = await secrets.getJson('x').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidSecretJsonError)
    expect(error).toMatchObject({ code: ErrorCode.INVALID_JSON, position: text.indexOf('1234') })
    await secrets.getSecret('x')
    expect(() => secrets.handle('x').json()).toThrow(InvalidSecretJsonError)
    await secrets.close()
  })

  it('keeps getJson as it was for exact numbers', async () => {
    const secrets = new CachedSecretProvider(
      new MemorySource({ x: '{"a":9007199254740992,"b":0.5,"c":-0}' }),
      quiet,
    )
    expect(await secrets.getJson('x')).toEqual({ a: 9007199254740992, b: 0.5, c: -0 })
    await secrets.close()
  })
})
