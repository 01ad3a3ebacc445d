import { type CachedSecretProvider, withSecret } from '@latchkey/core'
import postgres from 'postgres'

/**
 * postgres.js with its password read from the provider for each new connection (the username is
 * fixed: single-user rotation and tokens for one user), and `retrying(query)`, which refreshes the
 * secret and runs a query again once when its connection's login was refused.
 */
export function postgresJs(
  provider: CachedSecretProvider,
  secret: string,
  options: postgres.Options<Record<string, never>> & { username: string },
) {
  const passwordSecret = `${secret}#password`
  const sql = postgres({ max: 10, ...options, password: () => provider.getSecret(passwordSecret) })
  const retrying = <T>(query: (db: typeof sql) => Promise<T>) =>
    withSecret(provider, passwordSecret, () => query(sql), {
      isRefused: (error) => (error as { code?: unknown }).code === '28P01',
    })
  return { sql, retrying }
}
