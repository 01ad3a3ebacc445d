import { assertNoCanary, CapturingLogger, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { CachedSecretProvider } from './cache.js'
import { SecretRedactor } from './redactor.js'
import { secretParts } from './secret-parts.js'
import { MemorySource } from './sources/memory.js'
import type { LoadedSecret, SecretSource } from './types.js'

/** A source whose answers say how sensitive each value is, as the Parameter Store source does. */
function labelledSource(values: Record<string, LoadedSecret>): SecretSource {
  return {
    name: 'labelled',
    async load(name) {
      const loaded = values[name]
      if (loaded === undefined) throw new Error(`no ${name}`)
      return loaded
    },
  }
}

function warnings(logger: CapturingLogger): string[] {
  return logger.lines
}

describe('values that are not sensitive', () => {
  it('are served but never registered nor warned about, when the source says sensitive: false', async () => {
    const redactor = new SecretRedactor()
    const logger = new CapturingLogger()
    const secret = canary('secure')
    const provider = new CachedSecretProvider(
      labelledSource({
        'app/region': { value: 'eu-west-1', sensitive: false },
        'app/level': { value: 'info', sensitive: false },
        'app/empty': { value: '', sensitive: false },
        'app/token': { value: secret },
      }),
      { redactor, logger },
    )
    expect(await provider.getSecret('app/region')).toBe('eu-west-1')
    expect(await provider.getSecret('app/level')).toBe('info')
    expect(await provider.getSecret('app/empty')).toBe('')
    expect(await provider.getSecret('app/token')).toBe(secret)
    expect(redactor.size).toBe(1)
    expect(redactor.redact('starting in eu-west-1 with info')).toBe('starting in eu-west-1 with info')
    expect(redactor.redact(`t=${secret}`)).toBe('t=[REDACTED]')
    expect(warnings(logger)).toEqual([])
    await provider.close()
  })

  it('are never registered for names listed in notSensitive, through rotations too', async () => {
    const redactor = new SecretRedactor()
    const logger = new CapturingLogger()
    const source = new MemorySource({ 'app/port': '5432', 'app/mode': 'on', 'db/password': canary('pw') })
    const provider = new CachedSecretProvider(source, {
      redactor,
      logger,
      notSensitive: ['app/port', 'app/mode'],
    })
    await provider.preload(['app/port', 'app/mode', 'db/password'])
    source.set('app/port', '6543')
    await provider.refresh('app/port')
    expect(await provider.getSecret('app/port')).toBe('6543')
    expect(redactor.size).toBe(1)
    expect(redactor.redact('port 5432 6543 mode on')).toBe('port 5432 6543 mode on')
    expect(warnings(logger)).toEqual([])
    await provider.close()
  })

  it('rejects a notSensitive that is not an array of names with ERR_SECRET_INVALID_OPTIONS', () => {
    for (const bad of ['app/port', [1], {}, null]) {
      expect(() => new CachedSecretProvider(new MemorySource(), { notSensitive: bad as never })).toThrow(
        expect.objectContaining({
          code: 'ERR_SECRET_INVALID_OPTIONS',
          message: expect.stringContaining('notSensitive'),
        }),
      )
    }
  })

  it('skips the publicFields of a JSON value (a path read’s String parameters), registering the rest', async () => {
    const redactor = new SecretRedactor()
    const logger = new CapturingLogger()
    const password = canary('ps-pass')
    const value = JSON.stringify({ region: 'eu-west-1', level: 'info', 'db/password': password })
    const provider = new CachedSecretProvider(
      labelledSource({ '/app/': { value, publicFields: ['region', 'level'] } }),
      { redactor, logger },
    )
    expect(await provider.getJson('/app/')).toEqual({
      region: 'eu-west-1',
      level: 'info',
      'db/password': password,
    })
    expect(redactor.redact(`eu-west-1 info ${password}`)).toBe('eu-west-1 info [REDACTED]')
    expect(warnings(logger)).toEqual([])
    await provider.close()
  })

  it('warns about short values once per secret name, never once per value', async () => {
    const logger = new CapturingLogger()
    const source = new MemorySource({ 'app/pins': JSON.stringify({ a: '1234', b: '5678', c: '9012' }) })
    const provider = new CachedSecretProvider(source, { redactor: new SecretRedactor(), logger })
    await provider.getSecret('app/pins')
    source.set('app/pins', JSON.stringify({ a: '4321', b: '8765' }))
    await provider.refresh('app/pins')
    expect(warnings(logger)).toHaveLength(1)
    expect(warnings(logger)[0]).toContain('app/pins')
    for (const pin of ['1234', '5678', '9012', '4321', '8765']) expect(warnings(logger)[0]).not.toContain(pin)
    await provider.close()
  })
})

describe('JSON strings that are JSON', () => {
  it('registers the parts of a string field that holds a JSON object or array, at any depth', () => {
    const inner = canary('inner')
    const deeper = canary('deeper')
    const value = JSON.stringify({
      config: JSON.stringify({
        password: inner,
        host: 'db.internal',
        list: JSON.stringify([{ key: deeper }]),
      }),
    })
    const parts = secretParts(value)
    expect(parts).toContain(inner)
    expect(parts).toContain(deeper)
    expect(parts).not.toContain('db.internal')
  })

  it('scrubs the inner password once the app parses the inner string and logs it', async () => {
    const redactor = new SecretRedactor()
    const inner = canary('inner-logged')
    const provider = new CachedSecretProvider(
      new MemorySource({ app: JSON.stringify({ config: JSON.stringify({ password: inner }) }) }),
      { redactor },
    )
    const config = JSON.parse((await provider.getJson<{ config: string }>('app')).config) as {
      password: string
    }
    const out = redactor.redact(`logging in with ${config.password}`)
    assertNoCanary(out, 'the scrubbed text')
    await provider.close()
  })

  it('leaves a string that only looks like JSON (or is not JSON at all) as one part', () => {
    const value = JSON.stringify({ a: '{not json', b: '[1, 2' })
    expect(secretParts(value).sort()).toEqual([value, '{not json', '[1, 2'].sort())
  })
})

describe('one registry policy', () => {
  it('applies the strictest minimum length when holders register one value differently', () => {
    const redactor = new SecretRedactor()
    const value = 'twelve-chars'
    redactor.add(value, 'strict provider', 64)
    expect(redactor.redact(`in ${value} text`)).toBe(`in ${value} text`)
    redactor.add(value, 'default provider', 6)
    expect(redactor.redact(`in ${value} text`)).toBe('in [REDACTED] text')
    expect(redactor.redact(`"${value}"`)).toBe('"[REDACTED]"')
  })

  it('validates SecretRedactor options with ERR_SECRET_INVALID_OPTIONS naming the option', () => {
    const bad: Array<[string, unknown]> = [
      ['minLength', Number.POSITIVE_INFINITY],
      ['minLength', '100'],
      ['minLength', 5n],
      ['minLength', 0],
      ['minLength', 2.5],
      ['retention', Number.NaN],
      ['retention', -1],
      ['maxRetired', -1],
      ['maxRetired', Number.POSITIVE_INFINITY],
      ['replacement', 42],
      ['clock', 'now'],
      ['logger', {}],
    ]
    for (const [option, value] of bad) {
      expect(() => new SecretRedactor({ [option]: value } as never), `${option}: ${String(value)}`).toThrow(
        expect.objectContaining({
          code: 'ERR_SECRET_INVALID_OPTIONS',
          message: expect.stringContaining(`"${option}"`),
        }),
      )
    }
    expect(() => new SecretRedactor(null as never)).toThrow(
      expect.objectContaining({ code: 'ERR_SECRET_INVALID_OPTIONS' }),
    )
  })
})
