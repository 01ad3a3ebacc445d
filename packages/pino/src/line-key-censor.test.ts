import pino from 'pino'
import { describe, expect, it } from 'vitest'
import { captureStream } from '../test/support.js'
import { DEFAULT_REDACT_KEYS } from './key-censor.js'
import { createLineKeyCensor } from './line-key-censor.js'
import { isCredentialKey } from './sensitive-keys.js'
import { createHttpSerializers } from './serialize-http.js'

const R = '[REDACTED]'
const censor = createLineKeyCensor(DEFAULT_REDACT_KEYS, R)

function censored(object: unknown): unknown {
  return JSON.parse(censor(`${JSON.stringify(object)}\n`))
}

describe('createLineKeyCensor', () => {
  it('censors string values of sensitive keys at any depth and in any letter case', () => {
    expect(
      censored({
        password: 'a',
        user: {
          name: 'ada',
          APIKEY: 'b',
          profile: { deep: { deeper: { accessToken: 'c', theme: 'dark' } } },
        },
        headers: {
          Authorization: 'Bearer x',
          'X-Auth-Token': 'y',
          'x-csrf-token': 'z',
          'set-cookie': 'sid=1',
        },
        sessionId: 's',
        'x-hub-signature-256': 'sig',
        clientSecretRef: 'ref',
        list: [{ pwd: 'in-array' }],
      }),
    ).toEqual({
      password: R,
      user: { name: 'ada', APIKEY: R, profile: { deep: { deeper: { accessToken: R, theme: 'dark' } } } },
      headers: { Authorization: R, 'X-Auth-Token': R, 'x-csrf-token': R, 'set-cookie': R },
      sessionId: R,
      'x-hub-signature-256': R,
      clientSecretRef: R,
      list: [{ pwd: R }],
    })
  })

  it('keeps numbers, booleans and null, and censors every string inside arrays and objects', () => {
    expect(
      censored({
        tokenCount: 3,
        passwordSet: true,
        secret: null,
        cookie: ['a=1', 'b=2'],
        session: { id: 'abc', user: { name: 'ada', admin: false }, hits: 2, tags: ['x'] },
      }),
    ).toEqual({
      tokenCount: 3,
      passwordSet: true,
      secret: null,
      cookie: [R, R],
      session: { id: R, user: { name: R, admin: false }, hits: 2, tags: [R] },
    })
  })

  it('leaves the words alone in values, messages and strings that only look like keys', () => {
    const object = {
      msg: 'token refreshed; "password": stays',
      note: 'password":"x',
      nested: JSON.stringify({ password: 'inner' }),
      path: '/session/token',
    }
    expect(censored(object)).toEqual(object)
  })

  it('handles escaped quotes and backslashes in values', () => {
    expect(censored({ password: 'a"b\\', next: 'keep "me"', token: '\\"', after: 1 })).toEqual({
      password: R,
      next: 'keep "me"',
      token: R,
      after: 1,
    })
  })

  it('censors only the exact extra keys given, besides the credential keys', () => {
    const only = createLineKeyCensor(['ssn'], '***')
    expect(
      JSON.parse(only(JSON.stringify({ SSN: '078', pwd: 'p', password: 'q', ssnLast4: '1120' }))),
    ).toEqual({
      SSN: '***',
      pwd: 'p',
      password: '***',
      ssnLast4: '1120',
    })
  })

  it('returns a line that is not JSON, or has no sensitive key, as it is', () => {
    for (const line of ['token: abc\n', '{"a":1}\n', '{"password":', '{"password":"unterminated']) {
      const out = censor(line)
      expect(typeof out).toBe('string')
      if (!line.startsWith('{"password":"')) expect(out).toBe(line)
      else expect(out).not.toContain('unterminated')
    }
  })

  it('works on real pino lines', () => {
    const capture = captureStream()
    const log = pino({ hooks: { streamWrite: censor } }, capture.stream)
    log.child({ token: 'bound' }).info({ req: { headers: { cookie: 'sid=1', accept: '*/*' } } }, 'hello')
    const line = capture.lines()[0]
    expect(line).toMatchObject({ token: R, req: { headers: { cookie: R, accept: '*/*' } }, msg: 'hello' })
  })
})

describe('option checks', () => {
  it('throws ERR_SECRET_INVALID_OPTIONS for keys, censor or headers of the wrong type', () => {
    const bad: Array<() => unknown> = [
      () => createLineKeyCensor('password' as unknown as string[], R),
      () => createLineKeyCensor([1] as unknown as string[], R),
      () => createLineKeyCensor([], 5 as unknown as string),
      () => createHttpSerializers({ headers: 'user-agent' as unknown as string[] }),
      () => createHttpSerializers({ headers: [null] as unknown as string[] }),
    ]
    for (const call of bad)
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }))
  })
})

describe('isCredentialKey', () => {
  it('matches credential headers and the credential words, and nothing else', () => {
    for (const key of [
      'Authorization',
      'proxy-authorization',
      'Cookie',
      'set-cookie',
      'X-API-KEY',
      'api-key',
      'X-Goog-Api-Key',
      'Ocp-Apim-Subscription-Key',
      'x-functions-key',
      'X-Access-Key',
      'myToken',
    ])
      expect(isCredentialKey(key)).toBe(true)
    for (const key of ['accept', 'user-agent', 'host', 'content-type', 'x-request-id', 'secretName'])
      expect(isCredentialKey(key)).toBe(false)
  })
})
