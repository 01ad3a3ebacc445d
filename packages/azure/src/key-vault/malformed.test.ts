import { CachedSecretProvider, type SecretError } from '@latchkey/core'
import { canary, emulatorHooks, keepErrors, liedToCacheOptions, refreshFailure } from '@latchkey/test-support'
import { type KeyVaultEmulator, startKeyVaultEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AzureKeyVaultSource } from '../index.js'

// Per-file state as module variables on purpose; the shared hooks are emulatorHooks().
let kv: KeyVaultEmulator
let counter = 0
const unique = (label: string) => `${label}-${++counter}`
const providers: CachedSecretProvider[] = []

emulatorHooks(startKeyVaultEmulator, {
  started: (started) => {
    kv = started
  },
  providers,
})

function setup() {
  const source = new AzureKeyVaultSource({
    vaultUrl: kv.vaultUrl,
    credential: kv.credential,
    clientOptions: kv.clientOptions,
  })
  const provider = new CachedSecretProvider(source, liedToCacheOptions())
  const errors: SecretError[] = []
  provider.on('error', keepErrors(errors))
  providers.push(provider)
  return { provider, errors }
}

describe('malformed Key Vault replies through the real SecretClient', () => {
  it('attributes.enabled as the string "false" (faults.fail("enabledString")): transient, the held value kept', async () => {
    const name = unique('enabled')
    const held = canary('held')
    kv.setSecret(name, held)
    const { provider, errors } = setup()
    expect(await provider.getSecret(name)).toBe(held)
    kv.setSecret(name, canary('lied'))
    kv.faults.fail('enabledString', { operation: 'getSecret' })
    const error = await refreshFailure(provider, errors, name)
    expect(kv.calls().at(-1)?.fault).toBe('enabledString')
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(error?.message).toMatch(/attributes\.enabled of type string/)
    expect(await provider.getSecret(name)).toBe(held)
  })

  // A 200 reply whose attributes have the wrong type, as a misbehaving proxy might send: each is
  // refused as transient and the held value stays served (the SDK turns `exp`/`nbf`/`created`
  // seconds into Dates, so a string there arrives as an invalid Date).
  it.each([
    ['attributes.exp as a string', { exp: 'tomorrow' }, /expiresOn that is not a valid date/],
    ['attributes.nbf as a string', { nbf: 'later' }, /notBefore that is not a valid date/],
    ['attributes.created as an object', { created: { at: 1 } }, /createdOn that is not a valid date/],
    ['contentType as a number', { contentType: 7 }, /contentType that is not a string/],
    ['a tag that is not a string', { tags: { team: 1 } }, /tags that are not an object of strings/],
  ])('%s: transient, the held value kept', async (_what, lie, message) => {
    const name = unique('attr')
    const held = canary('held')
    kv.setSecret(name, held)
    const { provider, errors } = setup()
    expect(await provider.getSecret(name)).toBe(held)
    const { contentType, tags, ...attributes } = lie as Record<string, unknown>
    const body = JSON.stringify({
      value: canary('lied'),
      id: `${kv.vaultUrl}/secrets/${name}/${'a'.repeat(32)}`,
      attributes: { enabled: true, created: 1_700_000_000, updated: 1_700_000_000, ...attributes },
      ...(contentType === undefined ? {} : { contentType }),
      ...(tags === undefined ? {} : { tags }),
    })
    kv.faults.fail({ status: 200, body }, { operation: 'getSecret' })
    const error = await refreshFailure(provider, errors, name)
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(error?.message).toMatch(message)
    expect(await provider.getSecret(name)).toBe(held)
  })

  it('a first load of such a reply fails transient, and the value is never served', async () => {
    const name = unique('first')
    kv.setSecret(name, canary('never'))
    const { provider } = setup()
    kv.faults.fail('enabledString', { operation: 'getSecret' })
    await expect(provider.getSecret(name)).rejects.toMatchObject({
      code: 'ERR_SECRET_UNAVAILABLE',
      transient: true,
    })
  })
})
