import type { CachedSecretProvider } from '@latchkey/core'
import Fastify from 'fastify'
import type { LoggerOptions } from 'pino'
import { describe, expectTypeOf, it } from 'vitest'
import { redactSecrets } from './redact-secrets.js'

declare const provider: CachedSecretProvider

describe('redactSecrets types', () => {
  it('returns pino options of the type it was given, without the latchkey key', () => {
    expectTypeOf(redactSecrets()).toEqualTypeOf<LoggerOptions>()
    expectTypeOf(redactSecrets({ level: 'debug', name: 'api' }).name).toEqualTypeOf<string>()
    const options = redactSecrets({ name: 'api', latchkey: { headers: ['user-agent'], provider } })
    expectTypeOf(options.name).toEqualTypeOf<string>()
    expectTypeOf(options).not.toHaveProperty('latchkey')
  })

  it('rejects latchkey options of the wrong shape at compile time', () => {
    // @ts-expect-error keys is an array of strings
    redactSecrets({ latchkey: { keys: 'password' } })
    // @ts-expect-error provider needs a redactor
    redactSecrets({ latchkey: { provider: {} } })
  })

  it('takes one options object: the forms of the first release no longer compile', () => {
    // @ts-expect-error a provider goes under latchkey
    redactSecrets(provider)
    // @ts-expect-error one argument
    redactSecrets({ level: 'debug' }, { keys: ['ssn'] })
  })

  it("fits Fastify's logger option", () => {
    Fastify({ logger: { ...redactSecrets(), stream: process.stdout } })
    Fastify({ logger: redactSecrets({ level: 'warn' }) })
    Fastify({ logger: redactSecrets({ level: 'warn', latchkey: { provider } }) })
  })
})
