import 'reflect-metadata'
import { describe, expect, it } from 'vitest'
import { getSecretToken, SECRET_TOKEN_PREFIX, Secret } from './index.js'

describe('getSecretToken and @Secret', () => {
  it('gives one string token per name, so tests can override it', () => {
    expect(getSecretToken('db/password')).toBe(`${SECRET_TOKEN_PREFIX}db/password`)
    expect(getSecretToken('db/creds#username')).toBe('latchkey:secret:db/creds#username')
  })

  it('rejects an unusable name when the class is decorated, not at bootstrap', () => {
    expect(() => Secret('')).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_NAME' }))
    expect(() => Secret('db#a#b')).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_NAME' }))
    expect(() => getSecretToken('#field')).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_NAME' }),
    )
  })

  it('records the token as an injected constructor dependency', () => {
    class Consumer {
      constructor(
        readonly first: unknown,
        readonly second: unknown,
      ) {}
    }
    Secret('api/key')(Consumer, undefined, 1)
    expect(Reflect.getMetadata('self:paramtypes', Consumer)).toEqual([
      { index: 1, param: 'latchkey:secret:api/key' },
    ])
  })
})
