import { checkOrmArguments, type OrmCredentialsProvider, readOrmCredentials } from './orm-credentials.js'

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

/**
 * A Sequelize `beforeConnect` hook that sets `username` and `password` (and `host`, `port`,
 * `database` when the secret has them) from a latchkey secret in the RDS format, read from the
 * cache for every new connection (no backend call while the entry is fresh).
 *
 * Sequelize does not retire open connections and cannot retry a refused login: give its pool an
 * `idle` timeout, and rotate with alternating users (or tokens that overlap).
 *
 * @example
 * const sequelize = new Sequelize('app', '', '', { dialect: 'postgres', host, hooks: { beforeConnect: sequelizeBeforeConnect(provider, 'prod/db') } })
 * @throws {InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`) naming a wrong argument.
 */
export function sequelizeBeforeConnect(
  provider: OrmCredentialsProvider,
  secret: string,
): (config: SequelizeConnectionConfig) => Promise<void> {
  checkOrmArguments('sequelizeBeforeConnect', provider, secret)
  return async (config) => {
    const { credentials } = await readOrmCredentials('sequelizeBeforeConnect', provider, secret)
    config.username = credentials.user
    config.password = credentials.password
    if (credentials.host !== undefined) config.host = credentials.host
    if (credentials.port !== undefined) config.port = credentials.port
    if (credentials.database !== undefined) config.database = credentials.database
  }
}
