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

/** A class's public members, minus what only printing uses (`toJSON`, symbol keys). */
type PublicMembers<T> = Exclude<{ [K in keyof T]: K extends symbol ? never : K }[keyof T], 'toJSON'>

test('both directions: the interface names every public member of the class, with the same signature', () => {
  expectTypeOf<keyof SecretProviderLike>().toEqualTypeOf<PublicMembers<CachedSecretProvider>>()
  expectTypeOf<Parameters<SecretProviderLike['preload']>>().toEqualTypeOf<
    Parameters<CachedSecretProvider['preload']>
  >()
  expectTypeOf<Parameters<SecretProviderLike['on']>>().toEqualTypeOf<Parameters<CachedSecretProvider['on']>>()
  expectTypeOf<keyof SecretHandleLike>().toEqualTypeOf<Exclude<PublicMembers<SecretHandle>, 'toString'>>()
})
