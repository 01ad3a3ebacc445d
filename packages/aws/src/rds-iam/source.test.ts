import { Signer } from '@aws-sdk/rds-signer'
import { CachedSecretProvider, InvalidOptionsError, SecretError } from '@latchkey/core'
import { assertNoCanary, canary, printed, rejectionOf, thrownBy } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { RdsIamAuthSource, type RdsIamAuthSourceOptions } from '../index.js'

const HOST = 'db.cluster-abc.us-east-1.rds.amazonaws.com'

function realSigner(sessionToken?: string) {
  return new Signer({
    hostname: HOST,
    port: 5432,
    username: 'app_user',
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: canary('rds-secret-key'),
      ...(sessionToken === undefined ? {} : { sessionToken }),
    },
  })
}

describe('RdsIamAuthSource token format (real @aws-sdk/rds-signer)', () => {
  it('hands out the documented host:port/?Action=connect&DBUser=… token with SigV4 query parameters and a 900 s expiry', async () => {
    const source = new RdsIamAuthSource({
      hostname: HOST,
      port: 5432,
      username: 'app_user',
      signer: realSigner(),
    })
    const loaded = await source.load('rds')
    const value = JSON.parse(String(loaded.value)) as Record<string, unknown>
    expect(Object.keys(value).sort()).toEqual(['host', 'password', 'port', 'username'])
    expect(value).toMatchObject({ username: 'app_user', host: HOST, port: 5432 })
    const token = String(value.password)
    expect(token.startsWith(`${HOST}:5432/?`)).toBe(true)
    const params = new URLSearchParams(token.slice(token.indexOf('/?') + 2))
    expect(params.get('Action')).toBe('connect')
    expect(params.get('DBUser')).toBe('app_user')
    expect(params.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256')
    expect(params.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/us-east-1\/rds-db\/aws4_request$/)
    expect(params.get('X-Amz-Date')).toMatch(/^\d{8}T\d{6}Z$/)
    expect(params.get('X-Amz-Expires')).toBe('900')
    expect(params.get('X-Amz-SignedHeaders')).toBe('host')
    expect(params.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
    expect(params.has('X-Amz-Security-Token')).toBe(false)
    // 15 minutes less the 60 s default margin, less the few ms the signing took.
    expect(loaded.ttlMs).toBeLessThanOrEqual(840_000)
    expect(loaded.ttlMs).toBeGreaterThan(835_000)
    expect(loaded.version).toMatch(/^[0-9a-f]{16}$/)
    expect(token).not.toContain(String(loaded.version))
  })

  it('carries X-Amz-Security-Token for temporary credentials', async () => {
    const session = 'FwoGZXIvYXdzEXAMPLESESSION'
    const source = new RdsIamAuthSource({
      hostname: HOST,
      port: 5432,
      username: 'app_user',
      signer: realSigner(session),
    })
    const token = String(JSON.parse(String((await source.load('rds')).value)).password)
    expect(new URLSearchParams(token.slice(token.indexOf('/?') + 2)).get('X-Amz-Security-Token')).toBe(
      session,
    )
  })

  it('builds its own Signer from @aws-sdk/rds-signer when none is given', async () => {
    const source = new RdsIamAuthSource({
      hostname: HOST,
      port: 6543,
      username: 'other',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: canary('rds-built') },
    })
    const token = String(JSON.parse(String((await source.load('rds')).value)).password)
    expect(token.startsWith(`${HOST}:6543/?`)).toBe(true)
    const params = new URLSearchParams(token.slice(token.indexOf('/?') + 2))
    expect(params.get('DBUser')).toBe('other')
    expect(params.get('X-Amz-Credential')).toMatch(/\/eu-west-1\/rds-db\/aws4_request$/)
  })

  it('a new version per token, and the cache registers the token for scrubbing', async () => {
    let n = 0
    const tokens: string[] = []
    const signer = {
      async getAuthToken() {
        const token = `${HOST}:5432/?Action=connect&DBUser=u&X-Amz-Expires=900&X-Amz-Signature=${canary(`sig${n++}`)}`
        tokens.push(token)
        return token
      },
    }
    const source = new RdsIamAuthSource({ hostname: HOST, port: 5432, username: 'u', signer })
    const provider = new CachedSecretProvider(source, { minRefreshInterval: 0 })
    const first = await provider.getSecret('rds#password')
    const v1 = provider.describe('rds')?.version
    await provider.refresh('rds')
    const second = await provider.getSecret('rds#password')
    expect(first).toBe(tokens[0])
    expect(second).toBe(tokens[1])
    expect(provider.describe('rds')?.version).not.toBe(v1)
    expect(provider.redactor.redact(`login with ${second}`)).toBe('login with [REDACTED]')
    assertNoCanary(printed(provider.describe('rds')))
    await provider.close()
  })
})

describe('RdsIamAuthSource bad input and failures', () => {
  const good: RdsIamAuthSourceOptions = { hostname: HOST, port: 5432, username: 'u' }
  const cases: [string, unknown, string][] = [
    ['hostname of the wrong type', { ...good, hostname: 42 }, 'hostname'],
    ['empty hostname', { ...good, hostname: '' }, 'hostname'],
    ['port as a string', { ...good, port: '5432' }, 'port'],
    ['port out of range', { ...good, port: 70_000 }, 'port'],
    ['username of the wrong type', { ...good, username: ['u'] }, 'username'],
    ['missing username', { hostname: HOST, port: 5432 }, 'username'],
    ['unknown option', { ...good, hostName: HOST }, 'hostName'],
    ['signer without getAuthToken', { ...good, signer: {} }, 'signer'],
    ['signer with region', { ...good, region: 'us-east-1', signer: realSigner() }, 'region'],
    ['negative margin', { ...good, expiryMarginMs: -1 }, 'expiryMarginMs'],
    ['options not an object', 'db', 'options'],
  ]
  it.each(cases)('%s: ERR_SECRET_INVALID_OPTIONS naming it', (_label, options, named) => {
    const error = thrownBy(
      () => new RdsIamAuthSource(options as RdsIamAuthSourceOptions),
      InvalidOptionsError,
    )
    expect(error.code).toBe('ERR_SECRET_INVALID_OPTIONS')
    expect(error.message).toContain(named)
  })

  it('a signer that cannot sign gives a transient ERR_SECRET_UNAVAILABLE naming the source', async () => {
    const source = new RdsIamAuthSource({
      ...good,
      signer: {
        getAuthToken: () =>
          Promise.reject(
            Object.assign(new Error('Could not load credentials'), { name: 'CredentialsProviderError' }),
          ),
      },
    })
    const error = await rejectionOf(source.load('rds'), SecretError)
    expect(error.code).toBe('ERR_SECRET_UNAVAILABLE')
    expect(error.transient).toBe(true)
    expect(error.source).toBe('aws-rds-iam')
    assertNoCanary(printed(error))
  })

  it('a signer returning something that is not a token is refused without quoting it', async () => {
    const junk = canary('not-a-token')
    const source = new RdsIamAuthSource({ ...good, signer: { getAuthToken: async () => junk } })
    const error = await rejectionOf(source.load('rds'), SecretError)
    expect(error.code).toBe('ERR_SECRET_UNAVAILABLE')
    assertNoCanary(printed(error))
  })
})
