import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager'
import { canary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from './index.js'

let emulator: SecretsManagerEmulator
const clients: SecretsManagerClient[] = []

/** A real SDK client for `region`: it signs every request for that Region. */
function clientFor(region: string): SecretsManagerClient {
  const client = new SecretsManagerClient({ ...emulator.clientConfig, region, maxAttempts: 1 })
  clients.push(client)
  return client
}

beforeAll(async () => {
  emulator = await startSecretsManagerEmulator()
})
afterAll(async () => {
  for (const client of clients) client.destroy()
  await emulator.close()
})

describe('per-Region state, from the SigV4 credential scope', () => {
  it('keeps Regions apart: a client for eu-central-1 cannot read a us-east-1 secret', async () => {
    const value = canary('virginia')
    const created = emulator.createSecret('regions/only-in-virginia', value)
    expect(created.arn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:regions\/only-in-virginia-/,
    )
    const error = await clientFor('eu-central-1')
      .send(new GetSecretValueCommand({ SecretId: 'regions/only-in-virginia' }))
      .catch((e: Error) => e)
    expect(error).toMatchObject({ name: 'ResourceNotFoundException' })
    const read = await clientFor('us-east-1').send(
      new GetSecretValueCommand({ SecretId: 'regions/only-in-virginia' }),
    )
    expect(read.SecretString).toBe(value)
    expect(
      emulator
        .calls('GetSecretValue')
        .slice(-2)
        .map((c) => [c.region, c.status]),
    ).toEqual([
      ['eu-central-1', 400],
      ['us-east-1', 200],
    ])
  })

  it('lets one name hold a different secret in each Region; helpers take a region (default us-east-1)', async () => {
    const virginia = canary('same-name-us')
    const frankfurt = canary('same-name-eu')
    emulator.createSecret('regions/same-name', virginia)
    const eu = emulator.createSecret('regions/same-name', frankfurt, { region: 'eu-central-1' })
    expect(eu.arn).toContain(':eu-central-1:')
    expect(
      (await clientFor('eu-central-1').send(new GetSecretValueCommand({ SecretId: 'regions/same-name' })))
        .SecretString,
    ).toBe(frankfurt)
    expect(
      (await clientFor('us-east-1').send(new GetSecretValueCommand({ SecretId: 'regions/same-name' })))
        .SecretString,
    ).toBe(virginia)

    const rotated = canary('same-name-eu-2')
    emulator.rotate('regions/same-name', rotated, { region: 'eu-central-1' })
    expect(
      (await clientFor('eu-central-1').send(new GetSecretValueCommand({ SecretId: 'regions/same-name' })))
        .SecretString,
    ).toBe(rotated)
    expect(
      (await clientFor('us-east-1').send(new GetSecretValueCommand({ SecretId: 'regions/same-name' })))
        .SecretString,
    ).toBe(virginia)
    expect(Object.keys(emulator.versions('regions/same-name'))).toHaveLength(1)
    expect(Object.keys(emulator.versions('regions/same-name', { region: 'eu-central-1' }))).toHaveLength(2)
    // An ARN names its Region, so helpers given one act there.
    expect(Object.keys(emulator.versions(eu.arn))).toHaveLength(2)
  })

  it('serves an unsigned request from the default Region and refuses an Authorization header without a credential scope', async () => {
    const value = canary('unsigned')
    emulator.createSecret('regions/unsigned', value)
    const request = (headers: Record<string, string>) =>
      fetch(emulator.endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.1',
          'X-Amz-Target': 'secretsmanager.GetSecretValue',
          ...headers,
        },
        body: JSON.stringify({ SecretId: 'regions/unsigned' }),
      })
    const unsigned = await request({})
    expect(unsigned.status).toBe(200)
    expect(((await unsigned.json()) as { SecretString: string }).SecretString).toBe(value)
    const broken = await request({ Authorization: 'AWS4-HMAC-SHA256 Signature=abc' })
    expect(broken.status).toBe(400)
    expect(await broken.json()).toMatchObject({ __type: 'IncompleteSignatureException' })
  })
})

describe('BatchGetSecretValue ids', () => {
  it('answers a name, the full ARN and the partial ARN of one secret, and reports unknown ids by the id given', async () => {
    const value = canary('batch-ids')
    const { arn, name } = emulator.createSecret('regions/batch/ids', value)
    const partial = arn.slice(0, -7)
    const reply = await clientFor('us-east-1').send(
      new BatchGetSecretValueCommand({ SecretIdList: [name, arn, partial, `${partial}-zzzzzz`] }),
    )
    expect(reply.SecretValues?.map((v) => [v.ARN, v.Name, v.SecretString])).toEqual([
      [arn, name, value],
      [arn, name, value],
      [arn, name, value],
    ])
    expect(reply.Errors).toEqual([
      expect.objectContaining({ SecretId: `${partial}-zzzzzz`, ErrorCode: 'ResourceNotFoundException' }),
    ])
  })
})
