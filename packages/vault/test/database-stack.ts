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

/** The file's PostgreSQL and Vault emulator; read them inside a test or hook. */
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
  let started: { postgres: RunningPostgres; emulator: VaultEmulator; token: string } | undefined
  let postgres: RunningPostgres | undefined
  let emulator: VaultEmulator | undefined
  beforeAll(async () => {
    postgres = await startPostgres()
    emulator = await startVaultEmulator()
    emulator.database.configure({ connectionString: postgres.connectionString })
    started = { postgres, emulator, token: await setup(postgres, emulator) }
  }, 120_000)
  afterAll(async () => {
    await emulator?.close()
    await postgres?.stop()
  })
  const running = () => {
    if (started === undefined) throw new Error('databaseStack(): read it inside a test or hook')
    return started
  }
  return {
    get postgres() {
      return running().postgres
    },
    get emulator() {
      return running().emulator
    },
    get token() {
      return running().token
    },
    canLogIn: ({ username, password }) => {
      const { host, port, database } = running().postgres
      return loginOutcome(new pg.Client({ host, port, database, user: username, password }))
    },
  }
}
