/**
 * The Vault database engine over a real PostgreSQL, as this package's database-source tests use
 * it: one embedded PostgreSQL and one Vault emulator per file, the engine pointed at it.
 */
import { loginOutcome } from '@latchkey/test-support'
import {
  type RunningPostgres,
  startPostgres,
  startVaultEmulator,
  type VaultEmulator,
} from '@latchkey/testing'
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'

/** The fields a database secret holds. */
export interface Creds {
  username: string
  password: string
}

/** The file's PostgreSQL and Vault emulator, set in `beforeAll`: read them inside a test or hook. */
export interface DatabaseStack {
  readonly postgres: RunningPostgres
  readonly emulator: VaultEmulator
  /** The Vault token `setup` returned, for the sources under test. */
  readonly token: string
  /** `true` when `creds` log in to the PostgreSQL, otherwise the refusal's SQLSTATE (`'28P01'`). */
  canLogIn(creds: Creds): Promise<true | string>
}

/**
 * Starts PostgreSQL and the Vault emulator before the file's tests (the database engine
 * configured with PostgreSQL's connection string), runs `setup` (roles, the token it returns),
 * and stops both after the tests.
 */
export function databaseStack(
  setup: (postgres: RunningPostgres, emulator: VaultEmulator) => Promise<string> | string,
): DatabaseStack {
  const stack = {} as { -readonly [K in keyof DatabaseStack]: DatabaseStack[K] }
  stack.canLogIn = ({ username, password }) => {
    const { host, port, database } = stack.postgres
    return loginOutcome(new pg.Client({ host, port, database, user: username, password }))
  }
  beforeAll(async () => {
    stack.postgres = await startPostgres()
    stack.emulator = await startVaultEmulator()
    stack.emulator.database.configure({ connectionString: stack.postgres.connectionString })
    stack.token = await setup(stack.postgres, stack.emulator)
  }, 120_000)
  afterAll(async () => {
    await stack.emulator?.close()
    await stack.postgres?.stop()
  })
  return stack
}
