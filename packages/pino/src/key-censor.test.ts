import { describe, expect, it } from 'vitest'
import { createKeyCensor, DEFAULT_REDACT_KEYS, DEFAULT_REDACT_PATHS, redactPathsFor } from './key-censor.js'

const R = '[REDACTED]'

describe('createKeyCensor', () => {
  const censorKeys = createKeyCensor()

  it('censors default keys at the top and one and two levels down, but not deeper', () => {
    const input = {
      token: 't',
      a: { password: 'p', b: { apiKey: 'k', c: { secret: 'too deep' } } },
      ok: 'kept',
    }
    expect(censorKeys(input)).toEqual({
      token: R,
      a: { password: R, b: { apiKey: R, c: { secret: 'too deep' } } },
      ok: 'kept',
    })
  })

  it('follows arrays like a pino wildcard does', () => {
    expect(
      censorKeys({ users: [{ password: 'p', name: 'a' }, 'x', null], nested: { list: [{ token: 't' }] } }),
    ).toEqual({
      users: [{ password: R, name: 'a' }, 'x', null],
      nested: { list: [{ token: 't' }] },
    })
  })

  it('matches every letter case, as the line censor does', () => {
    expect(
      censorKeys({
        PASSWORD: 'a',
        Authorization: 'b',
        accesstoken: 'c',
        AccessToken: 'd',
        ACCESS_TOKEN: 'e',
        passWord: 'f',
      }),
    ).toEqual({
      PASSWORD: R,
      Authorization: R,
      accesstoken: R,
      AccessToken: R,
      ACCESS_TOKEN: R,
      passWord: R,
    })
  })

  it('returns the same object when nothing matches and copies only the path to a match', () => {
    const clean = { a: { b: 1 }, c: [1, 2] }
    expect(censorKeys(clean)).toBe(clean)
    const untouched = { x: 1 }
    const input = { keep: untouched, user: { password: 'p' } }
    const out = censorKeys(input)
    expect(out).not.toBe(input)
    expect(out.keep).toBe(untouched)
    expect(input.user.password).toBe('p')
  })

  it('does not descend into class instances, errors or dates', () => {
    class Account {
      password = 'in a class'
    }
    const account = new Account()
    const error = Object.assign(new Error('x'), { token: 't' })
    const out = censorKeys({ account, error, when: new Date(0) })
    expect(out.account).toBe(account)
    expect(out.error).toBe(error)
  })

  it('skips properties whose getter throws', () => {
    const input = {
      password: 'p',
      get broken(): string {
        throw new Error('nope')
      },
    }
    expect(() => censorKeys(input)).not.toThrow()
    expect(censorKeys(input).password).toBe(R)
  })

  it('matches a key outside ASCII whose lowercase has another length', () => {
    expect(createKeyCensor({ keys: ['İD'] })({ İD: 'a', 'i\u0307d': 'b', id: 'c' })).toEqual({
      İD: R,
      'i\u0307d': R,
      id: 'c',
    })
  })

  it('censors a value as the line censor does: strings, and the strings inside objects and arrays', () => {
    class Credentials {
      constructor(readonly user = 'ada') {}
    }
    const cyclic: Record<string, unknown> = { name: 'x' }
    cyclic.self = cyclic
    const input = {
      password: { user: 'ada', pin: 1234, tags: ['a', 2, true, null, { deep: 'b' }], none: null },
      token: 42,
      secret: new Credentials(),
      apiKey: cyclic,
      passwd: false,
    }
    const out = censorKeys(input) as Record<string, unknown>
    expect(out).toEqual({
      password: { user: R, pin: 1234, tags: [R, 2, true, null, { deep: R }], none: null },
      token: 42,
      secret: R,
      apiKey: expect.objectContaining({ name: R }),
      passwd: false,
    })
    expect(JSON.stringify(out.apiKey)).not.toContain('"x"')
    expect(input.password.user).toBe('ada')
  })

  it('removes keys or uses a censor function when asked', () => {
    expect(createKeyCensor({ remove: true })({ password: 'p', a: 1 })).toEqual({ a: 1 })
    const throwing = createKeyCensor({
      censor: () => {
        throw new Error('bad censor')
      },
    })
    expect(throwing({ token: 't' })).toEqual({ token: R })
  })

  it('lists the default keys as pino paths', () => {
    expect(redactPathsFor(['password'])).toEqual(['password', '*.password', '*.*.password'])
    expect(DEFAULT_REDACT_PATHS).toHaveLength(DEFAULT_REDACT_KEYS.length * 3)
    // Deliberately spelled out again: the documented default keys are the contract under test.
    expect(DEFAULT_REDACT_KEYS).toEqual(
      expect.arrayContaining([
        'password',
        'passwd',
        'pwd',
        'token',
        'accessToken',
        'refreshToken',
        'authorization',
        'cookie',
        'apiKey',
        'api_key',
        'secret',
        'clientSecret',
        'privateKey',
      ]),
    )
  })
})
