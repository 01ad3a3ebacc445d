import { inspect } from 'node:util'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { CachedSecretProvider, ErrorCode, InvalidOptionsError } from '@latchkey/core'
import { canary } from '@latchkey/test-support'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '@latchkey/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { AwsSecretsManagerSource } from '../index.js'

const NAME = 'app/options'
let emulator: SecretsManagerEmulator
let value: string

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator()
  value = canary('options')
  emulator.createSecret(NAME, value)
})
afterAll(() => emulator.close())
beforeEach(() => {
  emulator.faults.reset()
  emulator.resetCalls()
})
afterEach(() => {
  vi.unstubAllEnvs()
})

const signal = () => new AbortController().signal

describe('construction', () => {
  it('rejects build options together with { client }, saying what to do', () => {
    const client = new SecretsManagerClient({ ...emulator.clientConfig })
    try {
      for (const extra of [{ region: 'eu-west-1' }, { endpoint: emulator.endpoint }, { sdkRetries: true }]) {
        expect(() => new AwsSecretsManagerSource({ client, ...extra })).toThrow(InvalidOptionsError)
      }
      expect(() => new AwsSecretsManagerSource({ client, region: 'eu-west-1' })).toThrow(
        /set them on your client/,
      )
    } finally {
      client.destroy()
    }
  })

  it('rejects a bad endpoint, versionStage, sdkRetries, client or retry setting in clientConfig', () => {
    const bad: Array<Record<string, unknown>> = [
      { endpoint: 'not a url' },
      { versionStage: '' },
      { versionStage: 'x'.repeat(257) },
      { sdkRetries: 'yes' },
      { client: {} },
      { clientConfig: { maxAttempts: 5 } },
    ]
    for (const options of bad) {
      const attempt = () => new AwsSecretsManagerSource(options as never)
      expect(attempt).toThrow(InvalidOptionsError)
      try {
        attempt()
      } catch (error) {
        expect((error as InvalidOptionsError).code).toBe(ErrorCode.INVALID_OPTIONS)
      }
    }
  })

  it('is named aws-secrets-manager and defaults to AWSCURRENT', () => {
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig })
    expect(source.name).toBe('aws-secrets-manager')
    expect(source.versionStage).toBe('AWSCURRENT')
    return source.close()
  })

  it('prints without its client or credentials', () => {
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig })
    const printed = `${inspect(source, { depth: 8 })} ${JSON.stringify(source)}`
    expect(printed).not.toContain(emulator.credentials.secretAccessKey)
    expect(printed).not.toContain(emulator.credentials.accessKeyId)
    expect(printed).toContain('AWSCURRENT')
    return source.close()
  })
})

describe('the client the source builds', () => {
  it('has SDK retries off: one HTTP request per load attempt, sent as attempt=1; max=1', async () => {
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig })
    emulator.faults.fail('internal')
    await expect(source.load(NAME, { signal: signal() })).rejects.toMatchObject({
      code: ErrorCode.UNAVAILABLE,
    })
    expect(emulator.calls('GetSecretValue').map((c) => c.sdkRequest)).toEqual(['attempt=1; max=1'])
    await source.close()
  })

  it('with sdkRetries: true, uses the SDK standard policy (3 attempts)', async () => {
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig, sdkRetries: true })
    emulator.faults.fail('internal', { times: 2 })
    const loaded = await source.load(NAME, { signal: signal() })
    expect(loaded.value).toBe(value)
    expect(emulator.calls('GetSecretValue').map((c) => c.sdkRequest)).toEqual([
      'attempt=1; max=3',
      'attempt=2; max=3',
      'attempt=3; max=3',
    ])
    await source.close()
  })

  it('ignores AWS_MAX_ATTEMPTS in the environment (the core retry policy stays the only one)', async () => {
    vi.stubEnv('AWS_MAX_ATTEMPTS', '5')
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig })
    await source.load(NAME, { signal: signal() })
    expect(emulator.calls('GetSecretValue').map((c) => c.sdkRequest)).toEqual(['attempt=1; max=1'])
    await source.close()
  })

  it('finds credentials and region through the SDK default chain when none are given', async () => {
    // The emulator keeps Regions apart, as AWS does: only a client that really signs for
    // eu-central-1 reads the eu-central-1 secret (the us-east-1 one of the same name differs).
    const frankfurt = canary('options-eu')
    emulator.createSecret(NAME, frankfurt, { region: 'eu-central-1' })
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIADEFAULTCHAIN0000')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'default-chain-secret-key')
    vi.stubEnv('AWS_REGION', 'eu-central-1')
    const source = new AwsSecretsManagerSource({ endpoint: emulator.endpoint })
    const provider = new CachedSecretProvider(source)
    try {
      expect(await provider.getSecret(NAME)).toBe(frankfurt)
      expect(await source.client.config.region()).toBe('eu-central-1')
      expect(emulator.calls('GetSecretValue').map((c) => c.region)).toEqual(['eu-central-1'])
    } finally {
      await provider.close()
    }
  })

  it('reads the Region it is built for: a secret that exists only in another Region is not found', async () => {
    const source = new AwsSecretsManagerSource({ ...emulator.clientConfig, region: 'ap-southeast-2' })
    await expect(source.load(NAME, { signal: signal() })).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND })
    expect(emulator.calls('GetSecretValue').map((c) => c.region)).toEqual(['ap-southeast-2'])
    await source.close()
  })
})

describe('a client you pass', () => {
  it('is used as it is and not destroyed on close()', async () => {
    const client = new SecretsManagerClient({ ...emulator.clientConfig, maxAttempts: 1 })
    const source = new AwsSecretsManagerSource({ client })
    expect(source.client).toBe(client)
    const provider = new CachedSecretProvider(source)
    expect(await provider.getSecret(NAME)).toBe(value)
    await provider.close()
    const still = await client.send(new GetSecretValueCommand({ SecretId: NAME }))
    expect(still.SecretString).toBe(value)
    client.destroy()
  })
})
