import { inspect } from 'node:util'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { ErrorCode } from './errors.js'
import { MemorySource } from './sources/memory.js'

const logger = { warn: () => undefined }

describe('SecretHandle', () => {
  it('throws SecretNotLoadedError before the first load, then reveals synchronously', async () => {
    const value = canary('h')
    const p = new CachedSecretProvider(new MemorySource({ a: value }), { logger })
    const handle = p.handle('a')
    expect(handle.loaded).toBe(false)
    expect(() => handle.reveal()).toThrow(
      expect.objectContaining({ code: ErrorCode.NOT_LOADED, secretName: 'a' }),
    )
    await handle.ready()
    expect(handle.reveal()).toBe(value)
    expect(handle.loaded).toBe(true)
    expect(p.handle('a')).toBe(handle)
    await p.close()
  })

  it('selects a JSON field and parses json()', async () => {
    const password = canary('pw')
    const p = new CachedSecretProvider(
      new MemorySource({ db: JSON.stringify({ username: 'app', password }) }),
      { logger },
    )
    await p.preload(['db'])
    expect(p.handle('db#password').reveal()).toBe(password)
    expect(p.handle('db').json<{ username: string }>().username).toBe('app')
    await p.close()
  })

  it('prints [REDACTED] with the name everywhere', async () => {
    const value = canary('print')
    const p = new CachedSecretProvider(new MemorySource({ 'db/password': value }), { logger })
    const handle = p.handle('db/password')
    await handle.ready()
    const outputs = [
      inspect(handle),
      inspect({ nested: { handle } }, { depth: 5, showHidden: true }),
      String(handle),
      `${handle}`,
      JSON.stringify({ handle }),
      handle.toString(),
      `${Object.keys(handle).map((k) => k)}`,
      JSON.stringify(Object.entries(handle)),
    ]
    for (const out of outputs) assertNoCanary(out)
    expect(`${handle}`).toBe('[REDACTED db/password]')
    expect(inspect(handle)).toContain('db/password')
    await p.close()
  })

  it('throws the permanent error once the secret is gone', async () => {
    const source = new MemorySource({ a: canary('gone') })
    const p = new CachedSecretProvider(source, { logger, minRefreshInterval: 0 })
    const handle = p.handle('a')
    await handle.ready()
    source.delete('a')
    await expect(p.refresh('a')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND })
    expect(() => handle.reveal()).toThrow(expect.objectContaining({ code: ErrorCode.NOT_FOUND }))
    await p.close()
  })

  it('reveal() of a field that is not in the JSON throws ERR_SECRET_INVALID_JSON', async () => {
    const p = new CachedSecretProvider(new MemorySource({ db: '{"username":"app"}' }), { logger })
    const errors: unknown[] = []
    p.on('error', (e) => errors.push(e))
    await p.preload(['db'])
    const handle = p.handle('db#password')
    expect(() => handle.reveal()).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_JSON }))
    expect(errors).toHaveLength(1)
    await p.close()
  })
})
