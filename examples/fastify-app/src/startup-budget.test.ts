import { ErrorCode, SecretPreloadError } from '@latchkey/core'
import { type AwsBackend, SECRET_NAMES, startAwsBackend } from '@latchkey/example-shared'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterEach, describe, expect, test } from 'vitest'
import { buildApp } from './app.js'

const backends: AwsBackend[] = []
afterEach(async () => {
  await Promise.all(backends.splice(0).map((backend) => backend.emulator.close()))
})

describe('fastify-app against a Secrets Manager that stopped answering', () => {
  test("startup fails with a SecretPreloadError naming both secrets, inside Fastify's default pluginTimeout", async () => {
    const backend = await startAwsBackend({
      [SECRET_NAMES.dbPassword]: canary('slow-db'),
      [SECRET_NAMES.apiKey]: canary('slow-api'),
    })
    backends.push(backend)
    // Longer than the whole default retry budget (4 attempts × 5 s): every call hangs.
    backend.emulator.faults.setLatency(60_000)

    const error = await buildApp({ source: backend.source }).then(
      () => undefined,
      (reason: unknown) => reason,
    )

    // Before, Fastify's own timer fired first: AVV_ERR_PLUGIN_EXEC_TIMEOUT, "forgotten to call 'done'".
    expect(error).toBeInstanceOf(SecretPreloadError)
    const preload = error as SecretPreloadError
    expect(preload.errors.map((e) => [e.secretName, e.code, e.source, e.message])).toEqual([
      [
        SECRET_NAMES.dbPassword,
        ErrorCode.TIMEOUT,
        'aws-secrets-manager',
        `loading secret "${SECRET_NAMES.dbPassword}" (source aws-secrets-manager) timed out after 9000 ms`,
      ],
      [
        SECRET_NAMES.apiKey,
        ErrorCode.TIMEOUT,
        'aws-secrets-manager',
        `loading secret "${SECRET_NAMES.apiKey}" (source aws-secrets-manager) timed out after 9000 ms`,
      ],
    ])
    assertNoCanary(`${preload.message}\n${preload.stack}`, 'the startup error')
  }, 30_000)
})
