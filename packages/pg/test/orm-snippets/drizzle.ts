import type { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool, type RotatingPoolConfig } from '@latchkey/pg'
import { drizzle } from 'drizzle-orm/node-postgres'

/** Drizzle over a RotatingPool; `db.$client.end()` closes the pool. */
export function drizzleDb(
  provider: CachedSecretProvider,
  secret: string,
  pool: Omit<RotatingPoolConfig, 'secret' | 'passwordSecret'> = {},
) {
  return drizzle({ client: new RotatingPool({ provider, secret, max: 10, ...pool }) })
}
