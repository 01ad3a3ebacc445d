import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../errors.js'
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
})
