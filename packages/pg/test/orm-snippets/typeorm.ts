import type { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool, type RotatingPoolConfig } from '@latchkey/pg'
import { DataSource } from 'typeorm'

/**
 * A TypeORM DataSource whose pool is a RotatingPool: TypeORM builds its pool as
 * `new driver.Pool({ host, port, database, …, ...extra })`, so `driver` names the class and
 * `extra` carries the provider and the secret. Call `initialize()` as usual.
 */
export function typeormDataSource(
  provider: CachedSecretProvider,
  secret: string,
  server: { host: string; port: number; database: string },
  pool: Omit<RotatingPoolConfig, 'secret' | 'passwordSecret'> = {},
) {
  return new DataSource({
    type: 'postgres',
    ...server,
    driver: { Pool: RotatingPool },
    extra: { provider, secret, max: 10, ...pool },
  })
}
