import { checkOrmArguments, type OrmCredentialsProvider, readOrmCredentials } from './orm-credentials.js'

/** What {@link knexConnection}'s function resolves to: knex's pg connection settings. */
export interface KnexPgConnection {
  user: string
  password: string
  host?: string
  port?: number
  database?: string
  /** knex asks this before opening a connection; `true` makes it call the connection function again. */
  expirationChecker: () => boolean
  [setting: string]: unknown
}

/**
 * A knex `connection` function for the `pg` client that logs in with a latchkey secret (the RDS
 * format `{ username, password, host?, port?, dbname? }`, a token source's value included). knex
 * calls it for its first connection and again whenever `expirationChecker` says the settings it
 * holds are out of date: when the secret's version changed or its cache entry expired. `base`
 * (host, port, database, ssl…) is merged under the secret's fields.
 *
 * knex does not retire open connections and cannot retry a refused login: give its pool an
 * `idleTimeoutMillis`, and rotate with alternating users (or tokens that overlap), so that a login
 * never meets a password the database no longer accepts.
 *
 * @example
 * const db = knex({ client: 'pg', connection: knexConnection(provider, 'prod/db', { database: 'app' }) })
 * @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong argument.
 */
export function knexConnection(
  provider: OrmCredentialsProvider,
  secret: string,
  base: Record<string, unknown> = {},
): () => Promise<KnexPgConnection> {
  checkOrmArguments('knexConnection', provider, secret)
  return async () => {
    const { credentials, version } = await readOrmCredentials('knexConnection', provider, secret)
    return {
      ...base,
      ...credentials,
      expirationChecker: () => {
        const info = provider.describe(secret)
        return info === undefined || info.version !== version || info.expiresAt <= Date.now()
      },
    }
  }
}
