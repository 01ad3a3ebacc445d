import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import type pg from 'pg'
import { expectTypeOf, test } from 'vitest'
import { type PoolRotateEvent, RotatingPool, type RotatingPoolOptions } from './index.js'

const source = new MemorySource()
const provider = new CachedSecretProvider(source)

test('RotatingPool is usable wherever a pg.Pool is', () => {
  expectTypeOf<RotatingPool>().toExtend<pg.Pool>()
  expectTypeOf(new RotatingPool({ source, secret: 'db' }).query('SELECT 1')).toEqualTypeOf<
    Promise<pg.QueryResult>
  >()
})

test("'rotate' is typed next to pg's events", () => {
  const pool = new RotatingPool({ provider, secret: 'db' })
  pool.on('rotate', (event) => expectTypeOf(event).toEqualTypeOf<PoolRotateEvent>())
  pool.on('release', (err, client) => {
    expectTypeOf(err).toEqualTypeOf<Error>()
    expectTypeOf(client).toEqualTypeOf<pg.PoolClient>()
  })
})

test('options: provider or source, never password', () => {
  expectTypeOf({ source, secret: 'db', max: 5, ttl: 1 }).toExtend<RotatingPoolOptions>()
  expectTypeOf({ source, passwordSecret: 'pw', user: 'app' }).toExtend<RotatingPoolOptions>()
  // @ts-expect-error password comes from the secret
  new RotatingPool({ source, secret: 'db', password: 'x' })
  // @ts-expect-error provider and source are exclusive
  new RotatingPool({ provider, source, secret: 'db' })
  // @ts-expect-error neither secret nor passwordSecret: nothing to log in with
  new RotatingPool({ source, max: 5 })
  // @ts-expect-error secret and passwordSecret are exclusive
  new RotatingPool({ source, secret: 'db', passwordSecret: 'pw', user: 'app' })
})
