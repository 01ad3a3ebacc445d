import {
  CurrentLogin,
  checkOrmArguments,
  type OrmCredentialsProvider,
  readOrmCredentials,
} from './orm-credentials.js'

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

/** The knex `connection` function {@link knexConnection} returns, with a `pool.validate` for it. */
export interface KnexConnectionFunction {
  (): Promise<KnexPgConnection>
  /**
   * Give it to knex as `pool.validate`: knex calls it before handing out an idle connection, and
   * `false` makes it destroy that connection and use or open another. It answers `false` for a
   * connection made with credentials that are no longer current (the secret's version changed, or
   * its cache entry expired: for a token source, before the token does), so no query runs on a
   * login older than the current token. It reads pg's `Client` `user` and `password`.
   */
  validate(connection: unknown): boolean
}

/**
 * A knex `connection` function for the `pg` client that logs in with a latchkey secret (the RDS
 * format `{ username, password, host?, port?, dbname? }`, a token source's value included). knex
 * calls it for its first connection and again whenever `expirationChecker` says the settings it
 * holds are out of date: when the secret's version changed or its cache entry expired. `base`
 * (host, port, database, ssl…) is merged under the secret's fields. Pass its `validate` as
 * `pool.validate` to retire connections made with old credentials at their next checkout.
 *
 * knex cannot retry a refused login: rotate with alternating users, or with tokens whose lifetimes
 * overlap (RDS, Entra and Cloud SQL accept every unexpired token), so that a login never meets a
 * password the database no longer accepts.
 *
 * @example
 * const connection = knexConnection(provider, 'prod/db', { database: 'app' })
 * const db = knex({ client: 'pg', connection, pool: { validate: connection.validate } })
 * @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong argument.
 */
export function knexConnection(
  provider: OrmCredentialsProvider,
  secret: string,
  base: Record<string, unknown> = {},
): KnexConnectionFunction {
  checkOrmArguments('knexConnection', provider, secret)
  const current = new CurrentLogin(provider, secret)
  const connection = async (): Promise<KnexPgConnection> => {
    const { credentials, version } = await readOrmCredentials('knexConnection', provider, secret)
    current.remember(credentials, version)
    return {
      ...base,
      ...credentials,
      expirationChecker: () => {
        const info = provider.describe(secret)
        return info === undefined || info.version !== version || info.expiresAt <= Date.now()
      },
    }
  }
  return Object.assign(connection, { validate: (client: unknown) => current.holds(client) })
}
