import type { CachedSecretProvider } from '@latchkey/core'
import { secretsLoader } from '@latchkey/nestjs'
import { SECRET_NAMES } from './source.js'

/** `ConfigService.get('database.password')`: the current database password, following rotations. */
export function databaseConfig(provider: CachedSecretProvider) {
  return secretsLoader({ provider, namespace: 'database', secrets: { password: SECRET_NAMES.dbPassword } })
}
