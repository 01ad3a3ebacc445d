import { expectTypeOf, test } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import type { SecretHandle } from './handle.js'
import type { SecretHandleLike, SecretProviderLike } from './provider-like.js'
import type { SecretRedactor } from './redactor.js'

test("core's classes fit the structural views the integrations accept", () => {
  expectTypeOf<CachedSecretProvider>().toExtend<SecretProviderLike>()
  expectTypeOf<SecretHandle>().toExtend<SecretHandleLike>()
  expectTypeOf<SecretRedactor>().toExtend<SecretProviderLike['redactor']>()
  expectTypeOf(CachedSecretProvider).toBeConstructibleWith({
    name: 'x',
    load: async () => ({ value: 'v' }),
  })
})
