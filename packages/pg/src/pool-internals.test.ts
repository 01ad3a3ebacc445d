import { SecretError } from '@latchkey/core'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { pgPoolVersionOnDisk, pgVersionOnDisk } from '../test/support.js'
import {
  checkPoolInternals,
  installedPgVersions,
  poolInternalsProblems,
  UnsupportedPgPoolError,
} from './pool-internals.js'

describe('pg-pool internals check', () => {
  it('finds nothing wrong with the installed pg-pool', () => {
    const pool = new pg.Pool({ max: 1 })
    const client = new pg.Client()
    expect(poolInternalsProblems(pg.Pool.prototype, pool, client)).toEqual([])
    expect(() => checkPoolInternals(pg.Pool.prototype, pool, client)).not.toThrow()
  })

  it('reads the installed pg and pg-pool versions', () => {
    expect(installedPgVersions()).toEqual({ pg: pgVersionOnDisk(), pgPool: pgPoolVersionOnDisk() })
  })

  it('names every missing or reshaped member of a broken pool class, and the version', () => {
    class BrokenPool {
      _idle = []
      _pendingQueue = new Set()
      newClient() {}
      _release(_client: unknown) {}
      _remove(_client: unknown) {}
    }
    const problems = poolInternalsProblems(BrokenPool.prototype, new BrokenPool(), { connection: {} })
    expect(problems).toEqual([
      'newClient() (takes 0 parameters, needs 1)',
      '_release() (takes 1 parameters, needs 3)',
      '_pulseQueue() (missing)',
      '_pendingQueue (not an array)',
      '_expired (missing)',
      'Client.connectionParameters (missing)',
      'Client.connection.stream.destroyed (missing)',
    ])

    let thrown: unknown
    try {
      checkPoolInternals(BrokenPool.prototype, new BrokenPool(), { connection: {} }, () => ({
        pg: '8.99.0',
        pgPool: '9.9.9',
      }))
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(UnsupportedPgPoolError)
    const error = thrown as UnsupportedPgPoolError
    expect(error.code).toBe('ERR_PG_POOL_UNSUPPORTED')
    // in the catalogue: a permanent SecretError that keeps its name
    expect(error).toBeInstanceOf(SecretError)
    expect(error.transient).toBe(false)
    expect(error.name).toBe('UnsupportedPgPoolError')
    expect(error.pgPoolVersion).toBe('9.9.9')
    expect(error.pgVersion).toBe('8.99.0')
    expect(error.problems).toEqual(problems)
    expect(error.message).toContain(
      'the installed pg-pool 9.9.9 (pg 8.99.0) lacks what RotatingPool relies on: ',
    )
    expect(error.message).toContain('_pulseQueue() (missing)')
  })
})
