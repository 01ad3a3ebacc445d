import { CachedSecretProvider, ErrorCode, type SecretError } from '@latchkey/core'
import { canary } from '@latchkey/test-support'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '@latchkey/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { AwsParameterStoreSource, AwsSecretsManagerSource, watchSecretsManagerEvents } from './index.js'

let sm: SecretsManagerEmulator
const providers: CachedSecretProvider[] = []

beforeAll(async () => {
  sm = await startSecretsManagerEmulator()
})
afterAll(async () => {
  await sm.close()
})
beforeEach(() => {
  // no Region and no credentials anywhere in the SDK's chains
  for (const key of [
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ]) {
    vi.stubEnv(key, undefined)
  }
  vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/latchkey/config')
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/latchkey/credentials')
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true')
})
afterEach(async () => {
  vi.unstubAllEnvs()
  await Promise.all(providers.splice(0).map((p) => p.close()))
})

function provider(source: AwsSecretsManagerSource | AwsParameterStoreSource) {
  const built = new CachedSecretProvider(source, {
    retry: { retries: 3, baseDelay: 1 },
    logger: { warn: () => undefined },
  })
  providers.push(built)
  return built
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: SecretError) => error,
  )

describe('configuration mistakes are permanent, typed, and named in the message', () => {
  it('no region and no AWS_REGION: ERR_SECRET_INVALID_OPTIONS at the first load, not retried', async () => {
    sm.createSecret('config/region', canary('region'))
    const cases: Array<[AwsSecretsManagerSource | AwsParameterStoreSource, string]> = [
      [new AwsSecretsManagerSource({ endpoint: sm.endpoint, credentials: sm.credentials }), 'config/region'],
      [new AwsParameterStoreSource({ endpoint: sm.endpoint, credentials: sm.credentials }), '/config/region'],
    ]
    for (const [source, name] of cases) {
      sm.resetCalls()
      const error = await failure(provider(source).getSecret(name))
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS, transient: false })
      expect(error?.message).toMatch(/no AWS Region is configured; pass \{ region \} or set AWS_REGION/)
      expect(sm.callCount()).toBe(0)
    }
  })

  it('no credentials anywhere: ERR_SECRET_ACCESS_DENIED naming the cause, not retried', async () => {
    sm.createSecret('config/credentials', canary('credentials'))
    const source = new AwsSecretsManagerSource({ endpoint: sm.endpoint, region: sm.region })
    sm.resetCalls()
    const error = await failure(provider(source).getSecret('config/credentials'))
    expect(error).toMatchObject({ code: ErrorCode.ACCESS_DENIED, transient: false })
    expect(error?.message).toMatch(/no AWS credentials were found \(CredentialsProviderError\)/)
    expect(sm.callCount()).toBe(0)
  })

  it('an endpoint without a scheme (localhost:4599) throws when the source is built', () => {
    for (const endpoint of ['localhost:4599', 'ftp://host', 'host', '']) {
      expect(() => new AwsSecretsManagerSource({ endpoint })).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_OPTIONS,
          message: expect.stringMatching(/endpoint/),
        }),
      )
      expect(() => new AwsParameterStoreSource({ endpoint })).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_OPTIONS,
          message: expect.stringMatching(/endpoint/),
        }),
      )
      expect(() =>
        watchSecretsManagerEvents({
          provider: { refresh: async () => undefined, describe: () => undefined },
          queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
          endpoint,
        }),
      ).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_OPTIONS,
          message: expect.stringMatching(/endpoint/),
        }),
      )
    }
  })

  it('watcher durations past the timer range (2^31 ms) are refused, naming the option', () => {
    const base = {
      provider: { refresh: async () => undefined, describe: () => undefined },
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q',
    }
    for (const option of ['spread', 'minInterval', 'emptyReceiveInterval'] as const) {
      expect(() => watchSecretsManagerEvents({ ...base, [option]: 2 ** 31 })).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_OPTIONS,
          message: expect.stringContaining(option),
        }),
      )
    }
    for (const key of ['baseDelay', 'maxDelay'] as const) {
      expect(() => watchSecretsManagerEvents({ ...base, backoff: { [key]: 2 ** 31 } })).toThrow(
        expect.objectContaining({
          code: ErrorCode.INVALID_OPTIONS,
          message: expect.stringContaining(`backoff.${key}`),
        }),
      )
    }
  })
})
