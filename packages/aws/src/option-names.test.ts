import { CachedSecretProvider, InvalidOptionsError, MemorySource } from '@latchkey/core'
import { thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { AwsParameterStoreSource } from './parameter-store/source.js'
import { RdsIamAuthSource } from './rds-iam/source.js'
import { AwsSecretsManagerSource } from './secrets-manager/source.js'
import { watchSecretsManagerEvents } from './secrets-manager/watcher.js'

const provider = new CachedSecretProvider(new MemorySource())
const rds = { hostname: 'db.example.internal', port: 5432, username: 'app', region: 'eu-west-1' }

describe('unknown option names (aws)', () => {
  it.each([
    [
      'AwsSecretsManagerSource',
      () => new AwsSecretsManagerSource({ region: 'eu-west-1', regoin: 'eu-west-1' } as never),
      'regoin',
      'region',
    ],
    [
      'AwsSecretsManagerSource',
      () => new AwsSecretsManagerSource({ region: 'eu-west-1', versionstage: 'AWSPENDING' } as never),
      'versionstage',
      'versionStage',
    ],
    [
      'AwsParameterStoreSource',
      () => new AwsParameterStoreSource({ region: 'eu-west-1', withDecription: true } as never),
      'withDecription',
      'withDecryption',
    ],
    [
      'watchSecretsManagerEvents',
      () =>
        watchSecretsManagerEvents({
          provider,
          queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
          waitTimeSecond: 5,
        } as never),
      'waitTimeSecond',
      'waitTimeSeconds',
    ],
    [
      'RdsIamAuthSource',
      () => new RdsIamAuthSource({ ...rds, expiryMarginMS: 1_000 } as never),
      'expiryMarginMS',
      'expiryMarginMs',
    ],
  ])('%s({ %s }) is ERR_SECRET_INVALID_OPTIONS naming the nearest option', (owner, build, key, nearest) => {
    const error = thrownBy(build, InvalidOptionsError)
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toBe(`${owner}: unknown option "${key}"; did you mean "${nearest}"?`)
  })

  it('list every option when no known one is close', () => {
    const error = thrownBy(
      () => new AwsSecretsManagerSource({ region: 'eu-west-1', zzzzzzzz: 1 } as never),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    for (const key of ['client', 'region', 'endpoint', 'versionCheck', 'clientConfig']) {
      expect(error.message).toContain(`"${key}"`)
    }
  })

  it('accept every declared option', async () => {
    const sm = new AwsSecretsManagerSource({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
      versionStage: 'AWSCURRENT',
      versionCheck: false,
      sdkRetries: false,
      clientConfig: {},
    })
    const ps = new AwsParameterStoreSource({ region: 'eu-west-1', withDecryption: true, sdkRetries: false })
    await sm.close()
    await ps.close()
    expect(() => new RdsIamAuthSource({ ...rds, expiryMarginMs: 1_000 })).not.toThrow()
  })
})
