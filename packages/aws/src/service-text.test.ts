import { inspect } from 'node:util'
import { CachedSecretProvider, ErrorCode, type SecretError } from '@latchkey/core'
import { assertNoCanary, canary } from '@latchkey/test-support'
import {
  type ParameterStoreEmulator,
  type SecretsManagerEmulator,
  startParameterStoreEmulator,
  startSecretsManagerEmulator,
} from '@latchkey/testing'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { AwsParameterStoreSource, AwsSecretsManagerSource } from './index.js'

let sm: SecretsManagerEmulator
let ps: ParameterStoreEmulator
const providers: CachedSecretProvider[] = []
let counter = 0

beforeAll(async () => {
  sm = await startSecretsManagerEmulator()
  ps = await startParameterStoreEmulator()
})
afterAll(async () => {
  await sm.close()
  await ps.close()
})
afterEach(async () => {
  sm.faults.reset()
  ps.faults.reset()
  await Promise.all(providers.splice(0).map((p) => p.close()))
})

function provider(source: AwsSecretsManagerSource | AwsParameterStoreSource) {
  const logs: unknown[] = []
  const built = new CachedSecretProvider(source, {
    retry: { retries: 0 },
    minRefreshInterval: 0,
    logger: { warn: (message, meta) => logs.push([message, meta]) },
  })
  providers.push(built)
  return { provider: built, logs }
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: SecretError) => error,
  )

function assertClean(error: SecretError | undefined, logs: unknown[]) {
  expect(error).toBeDefined()
  assertNoCanary(String(error?.message), 'the error message')
  assertNoCanary(inspect(error, { showHidden: true, depth: 10 }), 'the error and its cause, deep')
  assertNoCanary(inspect(logs, { showHidden: true, depth: 10 }), 'the log')
}

describe('service text in error bodies (a service or proxy echoing a value)', () => {
  it('Secrets Manager: an echoed value reaches neither message, cause nor log (denied and 5xx)', async () => {
    const name = `echo/${++counter}`
    sm.createSecret(name, canary('echo-held'))
    for (const [fault, code] of [
      [
        { status: 400, type: 'AccessDeniedException', message: `denied ${canary('echo')}` },
        ErrorCode.ACCESS_DENIED,
      ],
      [
        { status: 500, type: 'InternalServiceError', message: `oops ${canary('echo')}` },
        ErrorCode.UNAVAILABLE,
      ],
    ] as const) {
      const { provider: p, logs } = provider(new AwsSecretsManagerSource({ ...sm.clientConfig }))
      sm.faults.fail(fault)
      const error = await failure(p.getSecret(name))
      expect(error?.code).toBe(code)
      expect((error?.cause as Error | undefined)?.name).toBe(fault.type)
      assertClean(error, logs)
    }
  })

  it('Parameter Store: the same for an AccessDeniedException and an InternalServerError', async () => {
    const name = `/echo/${++counter}`
    ps.putParameter(name, canary('echo-held'))
    for (const [fault, code] of [
      [
        { status: 400, type: 'AccessDeniedException', message: `denied ${canary('echo')}` },
        ErrorCode.ACCESS_DENIED,
      ],
      [
        { status: 500, type: 'InternalServerError', message: `oops ${canary('echo')}` },
        ErrorCode.UNAVAILABLE,
      ],
    ] as const) {
      const { provider: p, logs } = provider(new AwsParameterStoreSource({ ...ps.clientConfig }))
      ps.faults.fail(fault)
      const error = await failure(p.getSecret(name))
      expect(error?.code).toBe(code)
      assertClean(error, logs)
    }
  })
})

describe('exactly one access-denied answer (times: 1) maps to SecretAccessDeniedError (permanent)', () => {
  it('Secrets Manager faults.fail("accessDenied", { times: 1 }): one denial, then the value', async () => {
    const name = `deny/${++counter}`
    const value = canary('deny')
    sm.createSecret(name, value)
    const source = new AwsSecretsManagerSource({ ...sm.clientConfig })
    sm.faults.fail('accessDenied', { times: 1, operation: 'GetSecretValue' })
    const signal = new AbortController().signal
    await expect(source.load(name, { signal })).rejects.toMatchObject({
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
    })
    expect(sm.faults.pending).toBe(0)
    await expect(source.load(name, { signal })).resolves.toMatchObject({ value })
    await source.close()
  })

  it('Parameter Store faults.fail("accessDenied", { times: 1 }): one denial, then the value', async () => {
    const name = `/deny/${++counter}`
    const value = canary('deny')
    ps.putParameter(name, value)
    const source = new AwsParameterStoreSource({ ...ps.clientConfig })
    ps.faults.fail('accessDenied', { times: 1, operation: 'GetParameter' })
    const signal = new AbortController().signal
    await expect(source.load(name, { signal })).rejects.toMatchObject({
      code: ErrorCode.ACCESS_DENIED,
      transient: false,
    })
    expect(ps.faults.pending).toBe(0)
    await expect(source.load(name, { signal })).resolves.toMatchObject({ value })
    await source.close()
  })
})
