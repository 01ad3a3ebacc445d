import { ErrorCode, SecretPreloadError } from '@latchkey/core'
import { type AwsBackend, SECRET_NAMES, startAwsBackend } from '@latchkey/example-shared'
import { secrets } from '@latchkey/express'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, describe, expect, test } from 'vitest'

const backends: AwsBackend[] = []
const closing: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()))
  await Promise.all(backends.splice(0).map((backend) => backend.emulator.close()))
})

describe('express-app against a Secrets Manager that stopped answering', () => {
  test('ready() fails within preloadTimeout with a SecretPreloadError naming both secrets', async () => {
    const backend = await startAwsBackend({
      [SECRET_NAMES.dbPassword]: canary('slow-db'),
      [SECRET_NAMES.apiKey]: canary('slow-api'),
    })
    backends.push(backend)
    backend.emulator.faults.setLatency(60_000)
    const middleware = secrets({
      source: backend.source,
      preload: [SECRET_NAMES.dbPassword, SECRET_NAMES.apiKey],
      preloadTimeout: 1_500,
    })
    closing.push(() => middleware.close())

    const error = await middleware.ready().then(
      () => undefined,
      (reason: unknown) => reason,
    )

    expect(error).toBeInstanceOf(SecretPreloadError)
    const preload = error as SecretPreloadError
    expect(preload.errors.map((e) => [e.secretName, e.code, e.message])).toEqual([
      [
        SECRET_NAMES.dbPassword,
        ErrorCode.TIMEOUT,
        `loading secret "${SECRET_NAMES.dbPassword}" (source aws-secrets-manager) timed out after 1500 ms`,
      ],
      [
        SECRET_NAMES.apiKey,
        ErrorCode.TIMEOUT,
        `loading secret "${SECRET_NAMES.apiKey}" (source aws-secrets-manager) timed out after 1500 ms`,
      ],
    ])
    assertNoCanary(`${preload.message}\n${preload.stack}`, 'the startup error')
  })
})
