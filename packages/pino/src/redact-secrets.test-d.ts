import type { CachedSecretProvider } from '@latchkey/core'
import Fastify from 'fastify'
import type { LoggerOptions } from 'pino'
import { describe, expectTypeOf, it } from 'vitest'
import { redactSecrets } from './redact-secrets.js'

declare const provider: CachedSecretProvider

describe('redactSecrets types', () => {
  it('returns pino options of the type it was given', () => {
    expectTypeOf(redactSecrets(provider)).toEqualTypeOf<LoggerOptions>()
    const options = redactSecrets(provider, { level: 'debug', name: 'api' })
    expectTypeOf(options.name).toEqualTypeOf<string>()
    expectTypeOf(redactSecrets).parameter(0).toEqualTypeOf<Pick<CachedSecretProvider, 'redactor'>>()
  })

  it("fits Fastify's logger option", () => {
    Fastify({ logger: { ...redactSecrets(provider), stream: process.stdout } })
    Fastify({ logger: redactSecrets(provider, { level: 'warn' }) })
  })
})
