import { CachedSecretProvider, MemorySource, type SecretSource } from '@latchkey/core'
import { canary, thrownBy } from '@latchkey/test-support'
import { describe, expect, it, vi } from 'vitest'
import { pgPoolVersionOnDisk, pgVersionOnDisk } from '../test/support.js'
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
    const error = thrownBy(() => new RotatingPool({ source, secret: 'db/creds' }), UnsupportedPgPoolError)
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
