import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { RotatingPool } from './index.js'

const source = () => new MemorySource({ db: JSON.stringify({ username: 'app', password: 'x' }) })

describe('unknown option names (RotatingPool)', () => {
  it.each([
    [{ source: source(), secret: 'db', maxLifetimeMilis: 1_000 }, 'maxLifetimeMilis', 'maxLifetimeMillis'],
    [{ source: source(), secret: 'db', retireOnRotation: false }, 'retireOnRotation', 'retireOnRotate'],
    [{ source: source(), secret: 'db', idleTimeoutMilis: 1_000 }, 'idleTimeoutMilis', 'idleTimeoutMillis'],
    [{ source: source(), secret: 'db', tll: 1_000 }, 'tll', 'ttl'],
    [{ provider: new CachedSecretProvider(source()), secrets: 'db' }, 'secrets', 'secret'],
  ])('%o is ERR_SECRET_INVALID_OPTIONS naming %s → %s', (options, key, nearest) => {
    const error = thrownBy(() => new RotatingPool(options as never), InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`RotatingPool: unknown option "${key}"; did you mean "${nearest}"?`)
  })

  it("accepts pg's pool and client options, typed or not (binary, application_name, ssl)", async () => {
    const pool = new RotatingPool({
      source: source(),
      secret: 'db',
      host: '127.0.0.1',
      max: 2,
      application_name: 'latchkey-test',
      ssl: false,
      binary: false,
      statement_timeout: 1_000,
      idleTimeoutMillis: 1_000,
    } as never)
    await pool.end()
    expect(pool.options.max).toBe(2)
  })
})
