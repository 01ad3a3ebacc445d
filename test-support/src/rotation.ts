import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, expect } from 'vitest'
import { canary } from './canary.js'
import { type QueryLoad, queryLoad, sqlLiteral } from './load.js'

/** The parts of a `RotatingPool` the scenario drives (structural: this package imports no latchkey package). */
export interface ScenarioPool {
  query<R>(sql: string): Promise<{ rows: R[] }>
  end(): Promise<void>
}

/** The parts of a `CachedSecretProvider` the scenario drives. */
export interface ScenarioProvider {
  refresh(name: string): Promise<unknown>
  close(): Promise<void>
}

/** Where and how large the scenario's pool is (spread into the `RotatingPool` options). */
export interface PoolConnection {
  host: string
  port: number
  database: string
  max: number
}

/** What {@link rotatingPoolScenario} needs from one secret store's test. */
export interface RotatingPoolScenarioOptions<Written> {
  /** The canary label prefix; the passwords are `canary(`${label}-1`)` and `canary(`${label}-2`)`. */
  label: string
  /** The PostgreSQL role the pool logs in as (the test drops it afterwards). */
  role: string
  /** The running PostgreSQL. */
  postgres: { query(sql: string): Promise<unknown>; host: string; port: number; database: string }
  /** The secret's name as the provider knows it (refreshed after the rotation). */
  secret: string
  /** Writes the credentials JSON into the store: the first version, then the rotated one. */
  setSecret(credentials: string): Written
  /**
   * Builds the provider and the pool, after the first version is written. `connection` is the pool's
   * server and size: PostgreSQL's host, port and database, at most 4 clients.
   */
  start(connection: PoolConnection): { provider: ScenarioProvider; pool: ScenarioPool }
}

/**
 * The RotatingPool rotation scenario every secret store runs: the role is created with a first
 * password written to the store, a query load runs through the pool, the password is rotated
 * (the database first, then the store) and the provider refreshed, and the load keeps running.
 * Ends the load, the pool and the provider; the caller asserts on what it returns.
 */
export async function rotatingPoolScenario<Written>(
  options: RotatingPoolScenarioOptions<Written>,
): Promise<{ first: Written; second: Written; load: QueryLoad }> {
  const { role, postgres } = options
  const credentials = (password: string) => JSON.stringify({ username: role, password })
  const firstPassword = canary(`${options.label}-1`)
  await postgres.query(`CREATE ROLE ${role} LOGIN PASSWORD ${sqlLiteral(firstPassword)}`)
  const first = options.setSecret(credentials(firstPassword))
  const { host, port, database } = postgres
  const { provider, pool } = options.start({ host, port, database, max: 4 })

  const load = queryLoad(async () => {
    const { rows } = await pool.query<{ who: string }>('SELECT current_user AS who')
    return rows[0]?.who === role
  })
  await expect.poll(() => load.ok, { timeout: 10_000 }).toBeGreaterThan(20)

  // The rotation order of a single-user rotation: the database first, then the store.
  const secondPassword = canary(`${options.label}-2`)
  await postgres.query(`ALTER ROLE ${role} PASSWORD ${sqlLiteral(secondPassword)}`)
  const second = options.setSecret(credentials(secondPassword))
  await provider.refresh(options.secret)
  const afterRotation = load.ok
  await expect.poll(() => load.ok - afterRotation, { timeout: 10_000 }).toBeGreaterThan(50)
  await load.stop()
  await pool.end()
  await provider.close()
  return { first, second, load }
}

/** The parts of a running PostgreSQL (`startPostgres()` of `@latchkey/testing`) the hooks use. */
export interface HookedPostgres {
  query(sql: string): Promise<unknown>
  stop(): Promise<void>
}

/**
 * Registers the hooks of a RotatingPool test file: starts the store's emulator and PostgreSQL
 * before all tests; after them drops the scenario's role and stops both. The returned object reads
 * the running ones (inside tests) and names the role: `${prefix}_` and 8 random hex digits.
 */
export function rotatingPoolHooks<E extends { close(): Promise<void> }, P extends HookedPostgres>(
  startEmulator: () => Promise<E>,
  startPostgres: () => Promise<P>,
  prefix: string,
): { readonly emulator: E; readonly postgres: P; readonly role: string } {
  let emulator: E | undefined
  let postgres: P | undefined
  const role = `${prefix}_${randomBytes(4).toString('hex')}`
  beforeAll(async () => {
    ;[emulator, postgres] = await Promise.all([startEmulator(), startPostgres()])
  }, 120_000)
  afterAll(async () => {
    await postgres?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined)
    await Promise.all([emulator?.close(), postgres?.stop()])
  })
  return {
    get emulator() {
      if (emulator === undefined) throw new Error('the emulator is not running (read it inside a test)')
      return emulator
    },
    get postgres() {
      if (postgres === undefined) throw new Error('PostgreSQL is not running (read it inside a test)')
      return postgres
    },
    role,
  }
}
