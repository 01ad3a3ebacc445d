import type { CachedSecretProvider } from '@latchkey/core'
import { RotatingPool, type RotatingPoolConfig } from '@latchkey/pg'
import { PrismaPg } from '@prisma/adapter-pg'

/**
 * The driver adapter for your generated client, over a RotatingPool:
 * `new PrismaClient({ adapter: prismaAdapter(provider, 'prod/db') })`; `prisma.$disconnect()`
 * then ends the pool too (`disposeExternalPool`).
 */
export function prismaAdapter(
  provider: CachedSecretProvider,
  secret: string,
  pool: Omit<RotatingPoolConfig, 'secret' | 'passwordSecret'> = {},
) {
  const rotatingPool = new RotatingPool({ provider, secret, max: 10, ...pool })
  return new PrismaPg(rotatingPool, { disposeExternalPool: true })
}
