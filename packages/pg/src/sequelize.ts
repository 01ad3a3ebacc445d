import {
  CurrentLogin,
  checkOrmArguments,
  type OrmCredentialsProvider,
  readOrmCredentials,
} from './orm-credentials.js'

/**
 * The part of Sequelize's connection config the hook writes, typed so that Sequelize's own
 * `beforeConnect(config)` hook type accepts the function (its config types `password` as
 * `string | null` and `port` as `string`).
 */
export interface SequelizeConnectionConfig {
  username?: string
  password?: string | null
  host?: string
  port?: number | string
  database?: string
  [setting: string]: unknown
}

/** The `beforeConnect` hook {@link sequelizeBeforeConnect} returns, with a `pool.validate` for it. */
export interface SequelizeBeforeConnectHook {
  (config: SequelizeConnectionConfig): Promise<void>
  /**
   * Give it to Sequelize as `pool.validate`: its pool calls it before handing out an idle
   * connection and destroys the connection on `false`. It answers `false` for a connection made
   * with credentials that are no longer current (the secret's version changed, or its cache entry
   * expired: for a token source, before the token does), and otherwise what Sequelize's own check
   * for PostgreSQL answers (not failed, not ending), which a `pool.validate` replaces. It reads
   * pg's `Client` `user` and `password`, and the `_invalid` and `_ending` flags that check reads.
   */
  validate(connection: unknown): boolean
}

/**
 * A Sequelize `beforeConnect` hook that sets `username` and `password` (and `host`, `port`,
 * `database` when the secret has them) from a latchkey secret in the RDS format, read from the
 * cache for every new connection (no backend call while the entry is fresh). Pass its `validate`
 * as `pool.validate` to retire connections made with old credentials at their next checkout.
 *
 * Sequelize cannot retry a refused login: rotate with alternating users, or with tokens whose
 * lifetimes overlap (RDS, Entra and Cloud SQL accept every unexpired token).
 *
 * @example
 * const beforeConnect = sequelizeBeforeConnect(provider, 'prod/db')
 * const sequelize = new Sequelize({ dialect: 'postgres', hooks: { beforeConnect }, pool: { validate: beforeConnect.validate } })
 * @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong argument.
 */
export function sequelizeBeforeConnect(
  provider: OrmCredentialsProvider,
  secret: string,
): SequelizeBeforeConnectHook {
  checkOrmArguments('sequelizeBeforeConnect', provider, secret)
  const current = new CurrentLogin(provider, secret)
  const hook = async (config: SequelizeConnectionConfig): Promise<void> => {
    const { credentials, version } = await readOrmCredentials('sequelizeBeforeConnect', provider, secret)
    current.remember(credentials, version)
    config.username = credentials.user
    config.password = credentials.password
    if (credentials.host !== undefined) config.host = credentials.host
    if (credentials.port !== undefined) config.port = credentials.port
    if (credentials.database !== undefined) config.database = credentials.database
  }
  const validate = (connection: unknown): boolean => {
    const flags = connection as { _invalid?: unknown; _ending?: unknown } | null
    return current.holds(connection) && !flags?._invalid && !flags?._ending
  }
  return Object.assign(hook, { validate })
}
