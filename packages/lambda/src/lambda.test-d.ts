import { MemorySource, type SecretHandleLike, type SecretProviderLike } from '@latchkey/core'
import { describe, expectTypeOf, test } from 'vitest'
import { getJson, getSecret, type SecretHandles, type SecretsHandler, secrets, withSecrets } from './index.js'

const source = new MemorySource({})

describe('@latchkey/lambda types', () => {
  test('withSecrets infers the keys of secrets onto context.secrets', () => {
    const handler = withSecrets(
      async (event: { id: string }, context) => {
        expectTypeOf(context.secrets.db).toEqualTypeOf<SecretHandleLike>()
        expectTypeOf(context.secrets.apiKey.reveal()).toBeString()
        // @ts-expect-error a key that is not in `secrets`
        context.secrets.other
        return event.id.length
      },
      { source, secrets: { db: 'prod/db', apiKey: 'prod/api#key' } },
    )
    expectTypeOf(handler).toExtend<SecretsHandler<{ id: string }, object, number>>()
    expectTypeOf(handler.provider).toEqualTypeOf<SecretProviderLike>()
    expectTypeOf(handler({ id: 'x' }, {})).resolves.toBeNumber()
  })

  test('secrets() for middy carries the handle keys, getSecret and getJson are typed', () => {
    const middleware = secrets({ source, secrets: { token: 't' } })
    expectTypeOf(middleware.contextType).toEqualTypeOf<{ secrets: SecretHandles<'token'> } | undefined>()
    expectTypeOf(getSecret('a', { maxAge: 5 })).resolves.toBeString()
    expectTypeOf(getJson<{ port: number }>('a')).resolves.toEqualTypeOf<{ port: number }>()
    // @ts-expect-error maxAge is a number of seconds
    getSecret('a', { maxAge: '5' })
  })
})
