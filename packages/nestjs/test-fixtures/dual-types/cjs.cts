// The CommonJS half of a program that loads both builds: @latchkey/nestjs's dist/index.d.cts.
import core = require('@latchkey/core')
import nest = require('@latchkey/nestjs')

import type { CachedSecretProvider as EsmProvider } from '@latchkey/core' with { 'resolution-mode': 'import' }

declare const esmProvider: EsmProvider
export const cjsProvider = new core.CachedSecretProvider(new core.MemorySource())

// The module and the loader of each build take a provider of either build.
export const module = nest.SecretsModule.forRoot({ provider: cjsProvider, isGlobal: true })
export const fromEsm = nest.SecretsModule.forRoot({ provider: esmProvider, preloadTimeout: 5_000 })
export const loader = nest.secretsLoader({
  provider: esmProvider,
  namespace: 'database',
  secrets: { password: 'db/password' },
})
