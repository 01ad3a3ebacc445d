import { canary, printed, thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { InvalidOptionsError } from './errors.js'
import { MemorySource } from './sources/memory.js'
import { checkStartupLog, logStartup, startupLine, startupLogger } from './startup-line.js'

describe('startupLine', () => {
  it('says how many secrets, from which source kind and in how many ms', () => {
    expect(startupLine('@latchkey/x', { secrets: 3, source: 'env', ms: 42 })).toBe(
      '@latchkey/x: 3 secrets loaded from env in 42 ms',
    )
    expect(startupLine('@latchkey/x', { secrets: 1, source: 'memory', ms: 0 })).toBe(
      '@latchkey/x: 1 secret loaded from memory in 0 ms',
    )
  })
})

describe('logStartup', () => {
  it('writes one line with its facts, never a value or a secret name', async () => {
    const name = `tenant-${canary('name')}`
    const value = canary('value')
    const provider = new CachedSecretProvider(new MemorySource({ [name]: value }))
    const lines: { message: string; meta?: object }[] = []
    const started = performance.now()
    await provider.preload([name])
    logStartup(
      { info: (message, meta) => lines.push({ message, meta }) },
      '@latchkey/x',
      provider,
      1,
      started,
    )
    expect(lines).toHaveLength(1)
    expect(lines[0]?.message).toMatch(/^@latchkey\/x: 1 secret loaded from memory in \d+ ms$/)
    expect(lines[0]?.meta).toMatchObject({ secrets: 1, source: 'memory' })
    expect(printed(lines)).not.toContain(name)
    expect(printed(lines)).not.toContain(value)
    await provider.close()
  })

  it('writes nothing for no logger or no secrets, and survives a logger that throws', () => {
    const provider = { source: { name: 'memory' } }
    const lines: string[] = []
    logStartup({ info: (m) => lines.push(m) }, '@latchkey/x', provider, 0, performance.now())
    logStartup(undefined, '@latchkey/x', provider, 2, performance.now())
    expect(lines).toEqual([])
    const throwing = {
      info: () => {
        throw new Error('logger down')
      },
    }
    expect(() => logStartup(throwing, '@latchkey/x', provider, 2, performance.now())).not.toThrow()
  })
})

describe('the startupLog option', () => {
  it('is true, false or a logger with info(); anything else names the option', () => {
    const logger = { info: () => undefined }
    expect(checkStartupLog('@latchkey/x', undefined)).toBeUndefined()
    expect(checkStartupLog('@latchkey/x', false)).toBe(false)
    expect(checkStartupLog('@latchkey/x', logger)).toBe(logger)
    for (const bad of ['yes', 1, null, {}, { info: 'no' }]) {
      const error = thrownBy(() => checkStartupLog('@latchkey/x', bad), InvalidOptionsError)
      expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
      expect(error.message).toContain('{ startupLog }')
    }
  })

  it('picks the option’s logger, else a fallback with info(), else nothing', () => {
    const own = { info: () => undefined }
    const fallback = { info: () => undefined, warn: () => undefined }
    expect(startupLogger(own, fallback)).toBe(own)
    expect(startupLogger(undefined, fallback)).toBe(fallback)
    expect(startupLogger(true, fallback)).toBe(fallback)
    expect(startupLogger(false, fallback)).toBeUndefined()
    expect(startupLogger(true, { warn: () => undefined })).toBeUndefined()
    expect(startupLogger(true, undefined)).toBeUndefined()
  })
})
