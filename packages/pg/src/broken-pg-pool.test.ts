import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { CachedSecretProvider, MemorySource, type SecretSource } from '@latchkey/core'
import { canary } from '@latchkey/test-support'
import { describe, expect, it, vi } from 'vitest'
import { RotatingPool, UnsupportedPgPoolError } from './index.js'

// A narrow unit test: pg whose Pool lacks two members RotatingPool relies on, as a future pg-pool
// release might. Nothing connects, so no database is involved.
vi.mock('pg', async (importOriginal) => {
  const real = ((await importOriginal()) as { default: typeof import('pg') }).default
  class ChangedPool extends real.Pool {
    constructor(options?: import('pg').PoolConfig) {
      super(options)
      ;(this as unknown as { _expired?: unknown })._expired = undefined
    }
  }
  Object.defineProperty(ChangedPool.prototype, '_pulseQueue', { value: undefined })
  const changed = { ...real, Pool: ChangedPool }
  return { ...changed, default: changed }
})

function pgPoolVersionOnDisk(): string {
  const requireFromPg = createRequire(createRequire(import.meta.url).resolve('pg'))
  let dir = dirname(requireFromPg.resolve('pg-pool'))
  while (!dir.endsWith('pg-pool')) dir = dirname(dir)
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
}

function pgVersionOnDisk(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('pg'))
  while (!dir.endsWith('pg')) dir = dirname(dir)
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
}

describe('RotatingPool on a pg-pool without the members it relies on', () => {
  it('fails at construction with UnsupportedPgPoolError naming the members and the installed version', () => {
    const memory = new MemorySource({ 'db/creds': canary('unused-creds') })
    const closed: string[] = []
    const source: SecretSource = {
      name: 'memory',
      load: (name, ctx) => memory.load(name, ctx),
      close: async () => {
        closed.push('source')
      },
    }
    let thrown: unknown
    try {
      new RotatingPool({ source, secret: 'db/creds' })
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UnsupportedPgPoolError)
    const error = thrown as UnsupportedPgPoolError
    expect(error.code).toBe('ERR_PG_POOL_UNSUPPORTED')
    expect(error.problems).toEqual(['_pulseQueue() (missing)', '_expired (missing)'])
    expect(error.pgPoolVersion).toBe(pgPoolVersionOnDisk())
    expect(error.message).toBe(
      `RotatingPool: the installed pg-pool ${pgPoolVersionOnDisk()} (pg ${pgVersionOnDisk()}) lacks what ` +
        'RotatingPool relies on: _pulseQueue() (missing), _expired (missing). Use a pg 8 release from 8.8.0 ' +
        'on whose pg-pool keeps these members (see "pg-pool internals" in the @latchkey/pg README), and ' +
        'report the versions.',
    )
    // The provider the pool built from `source` is closed again.
    expect(closed).toEqual(['source'])
  })

  it('leaves a provider the app passed in open', () => {
    const provider = new CachedSecretProvider(new MemorySource({ 'db/creds': canary('unused-creds') }))
    expect(() => new RotatingPool({ provider, secret: 'db/creds' })).toThrow(UnsupportedPgPoolError)
    expect(provider.closed).toBe(false)
  })
})
