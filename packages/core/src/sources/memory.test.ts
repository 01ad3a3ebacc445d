import { assertNoCanary, canary, thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { ErrorCode, InvalidOptionsError } from '../errors.js'
import { MemorySource } from './memory.js'

const signal = new AbortController().signal

describe('MemorySource', () => {
  it('versions every set() and counts loads', async () => {
    const source = new MemorySource({ a: canary('m1') })
    expect((await source.load('a', { signal })).version).toBe('v1')
    expect(source.set('a', canary('m2'))).toBe('v2')
    expect((await source.load('a', { signal })).version).toBe('v2')
    expect(source.loads).toBe(2)
  })

  it('reports deleted and unknown names as not found', async () => {
    const source = new MemorySource({ a: canary('m') })
    source.delete('a')
    await expect(source.load('a', { signal })).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
      secretName: 'a',
    })
  })

  it('is an object of names and values, not options: a non-string value is ERR_SECRET_INVALID_OPTIONS naming it', () => {
    const error = thrownBy(
      () => new MemorySource({ ttl: 1000 } as unknown as Record<string, string>),
      InvalidOptionsError,
    )
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toContain('initial["ttl"] must be a string or a Uint8Array (got number)')
    expect(error.message).not.toContain('1000')
  })

  it.each([
    ['null', null],
    ['an array', [canary('m')]],
    ['a string', canary('m')],
  ])('rejects %s as initial with ERR_SECRET_INVALID_OPTIONS, never quoting it', (_label, initial) => {
    const error = thrownBy(
      () => new MemorySource(initial as unknown as Record<string, string>),
      InvalidOptionsError,
    )
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    expect(error.message).toMatch(/^MemorySource: initial must be an object of secret names and values/)
    assertNoCanary(`${error.message} ${JSON.stringify(error)}`, 'the error')
  })

  it('set() refuses a value that is neither a string nor a Uint8Array, and keeps the held one', async () => {
    const held = canary('m')
    const source = new MemorySource({ a: held })
    const error = thrownBy(
      () => source.set('a', { value: canary('x') } as unknown as string),
      InvalidOptionsError,
    )
    expect(error.code).toBe(ErrorCode.INVALID_OPTIONS)
    assertNoCanary(`${error.message} ${JSON.stringify(error)}`, 'the error')
    expect(error.message).toContain('the value of "a" must be a string or a Uint8Array (got object)')
    expect(await source.load('a', { signal })).toEqual({ value: held, version: 'v1' })
    expect(source.set('a', new TextEncoder().encode(canary('bytes')))).toBe('v2')
  })
})
