// The ESM half: @latchkey/nestjs's dist/index.d.ts, in the same program as cjs.cts.
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { SecretsModule, secretsLoader } from '@latchkey/nestjs'
import { cjsProvider } from './cjs.cjs'

export const fromCjs = SecretsModule.forRoot({ provider: cjsProvider })
export const fromEsm = SecretsModule.forRootAsync({
  useFactory: () => ({ provider: new CachedSecretProvider(new MemorySource()) }),
})
export const loader = secretsLoader({
  provider: cjsProvider,
  namespace: 'database',
  secrets: { password: 'db/password' },
})
