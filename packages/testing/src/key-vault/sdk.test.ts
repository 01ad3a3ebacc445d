import { SecretClient } from '@azure/keyvault-secrets'
import { canary } from '@latchkey/test-support'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type KeyVaultEmulator, startKeyVaultEmulator } from './index.js'

let kv: KeyVaultEmulator
let client: SecretClient

beforeAll(async () => {
  kv = await startKeyVaultEmulator()
  client = new SecretClient(kv.vaultUrl, kv.credential, {
    ...kv.clientOptions,
    retryOptions: { maxRetries: 0 },
  })
})
afterAll(() => kv.close())
beforeEach(() => {
  kv.faults.reset()
  kv.resetCalls()
})

describe('@azure/keyvault-secrets SecretClient against the emulator', () => {
  it('authenticates through the challenge once, with challenge-resource verification on (the default)', async () => {
    const fresh = new SecretClient(kv.vaultUrl, kv.credential, kv.clientOptions)
    const value = canary('sdk-get')
    kv.setSecret('sdk-get', value)
    expect((await fresh.getSecret('sdk-get')).value).toBe(value)
    expect((await fresh.getSecret('sdk-get')).value).toBe(value)
    expect(kv.calls().map((c) => c.status)).toEqual([401, 200, 200])
    expect(kv.tokenRequests()).toEqual([
      { scopes: ['https://vault.localhost/.default'], tenantId: kv.tenantId },
    ])
  })

  it('sets, reads a pinned version, lists versions and reads properties', async () => {
    const first = await client.setSecret('sdk-set', canary('one'), { contentType: 'text/plain' })
    const second = await client.setSecret('sdk-set', canary('two'))
    expect((await client.getSecret('sdk-set', { version: first.properties.version as string })).value).toBe(
      first.value,
    )
    const latest = await client.getSecret('sdk-set')
    expect(latest.properties.version).toBe(second.properties.version)
    const versions: string[] = []
    for await (const props of client.listPropertiesOfSecretVersions('sdk-set'))
      versions.push(props.version as string)
    expect(versions.sort()).toEqual([first.properties.version, second.properties.version].sort())
    expect(first.properties.contentType).toBe('text/plain')
    expect(kv.versions('sdk-set')).toEqual([first.properties.version, second.properties.version])
  })

  it('maps attributes to Dates: notBefore, expiresOn, enabled', async () => {
    const notBefore = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
    const expiresOn = new Date(notBefore.getTime() + 3_600_000)
    kv.setSecret('sdk-attributes', canary('attributes'), { notBefore, expiresOn })
    const { properties } = await client.getSecret('sdk-attributes')
    expect(properties.notBefore).toEqual(notBefore)
    expect(properties.expiresOn).toEqual(expiresOn)
    expect(properties.enabled).toBe(true)
  })

  it('deletes with the delete poller, reads it as deleted, recovers with the recover poller', async () => {
    const value = canary('sdk-delete')
    kv.setSecret('sdk-delete', value)
    await (await client.beginDeleteSecret('sdk-delete')).pollUntilDone()
    const error = await client.getSecret('sdk-delete').catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'RestError', statusCode: 404, code: 'SecretNotFound' })
    expect((await client.getDeletedSecret('sdk-delete')).properties.recoveryId).toBe(
      `${kv.vaultUrl}/deletedsecrets/sdk-delete`,
    )
    await (await client.beginRecoverDeletedSecret('sdk-delete')).pollUntilDone()
    expect((await client.getSecret('sdk-delete')).value).toBe(value)
  })

  it('a disabled secret → RestError 403 Forbidden with details.error.innerError.code SecretDisabled', async () => {
    kv.setSecret('sdk-disabled', canary('disabled'), { enabled: false })
    const error = await client.getSecret('sdk-disabled').catch((e: unknown) => e)
    expect(error).toMatchObject({
      statusCode: 403,
      code: 'Forbidden',
      details: { error: { innerError: { code: 'SecretDisabled' } } },
    })
  })

  it("a 429 reaches the caller with its Retry-After when the SDK's retries are off", async () => {
    kv.setSecret('sdk-throttled', canary('throttled'))
    await client.getSecret('sdk-throttled')
    kv.faults.fail('throttled', { retryAfter: 3 })
    const error = (await client.getSecret('sdk-throttled').catch((e: unknown) => e)) as {
      statusCode: number
      response: { headers: { get(name: string): string | undefined } }
    }
    expect(error.statusCode).toBe(429)
    expect(error.response.headers.get('retry-after')).toBe('3')
  })

  it("with the SDK's default retries, a 429 with Retry-After 0 is retried by the SDK itself", async () => {
    const retrying = new SecretClient(kv.vaultUrl, kv.credential, kv.clientOptions)
    const value = canary('retried')
    kv.setSecret('sdk-retried', value)
    await retrying.getSecret('sdk-retried')
    kv.resetCalls()
    kv.faults.fail('throttled', { retryAfter: 0 })
    expect((await retrying.getSecret('sdk-retried')).value).toBe(value)
    expect(kv.calls().map((c) => c.status)).toEqual([429, 200])
  })

  it('a dropped connection → RestError without a status (ECONNRESET)', async () => {
    kv.setSecret('sdk-drop', canary('drop'))
    await client.getSecret('sdk-drop')
    kv.faults.drop()
    const error = await client.getSecret('sdk-drop').catch((e: unknown) => e)
    expect(error).toMatchObject({ name: 'RestError', code: 'ECONNRESET' })
    expect((error as { statusCode?: number }).statusCode).toBeUndefined()
  })
})
