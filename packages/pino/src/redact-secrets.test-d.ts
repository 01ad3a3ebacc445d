import type { CachedSecretProvider } from '@latchkey/core'
import Fastify from 'fastify'
import type { LoggerOptions } from 'pino'
import { describe, expectTypeOf, it } from 'vitest'
import { redactSecrets } from './redact-secrets.js'

declare const provider: CachedSecretProvider

describe('redactSecrets types', () => {
  it('returns pino options of the type it was given, with or without a provider', () => {
    expectTypeOf(redactSecrets()).toEqualTypeOf<LoggerOptions>()
    expectTypeOf(redactSecrets(provider)).toEqualTypeOf<LoggerOptions>()
    expectTypeOf(redactSecrets(provider, { level: 'debug', name: 'api' }).name).toEqualTypeOf<string>()
    expectTypeOf(redactSecrets({ level: 'debug', name: 'api' }).name).toEqualTypeOf<string>()
    expectTypeOf(redactSecrets({ name: 'api' }, { headers: ['user-agent'] }).name).toEqualTypeOf<string>()
  })

  it("fits Fastify's logger option", () => {
    Fastify({ logger: { ...redactSecrets(), stream: process.stdout } })
    Fastify({ logger: redactSecrets({ level: 'warn' }) })
    Fastify({ logger: redactSecrets(provider, { level: 'warn' }) })
  })
})
