import { CachedSecretProvider, type SecretError } from '@latchkey/core'
import { canary, emulatorHooks, keepErrors, liedToCacheOptions, refreshFailure } from '@latchkey/test-support'
import { type GoogleSecretManagerEmulator, startGoogleSecretManagerEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { emulatorSource } from '../../test/support.js'
import { GoogleSecretManagerSource } from '../index.js'

// Per-file state as module variables on purpose; the shared hooks are emulatorHooks().
let emulator: GoogleSecretManagerEmulator
const providers: CachedSecretProvider[] = []
let counter = 0
const unique = (label: string) => `lie-${label}-${++counter}`

emulatorHooks(startGoogleSecretManagerEmulator, {
  started: (started) => {
    emulator = started
  },
  providers,
})

function setup() {
  const provider = new CachedSecretProvider(emulatorSource(emulator), liedToCacheOptions())
  const errors: SecretError[] = []
  provider.on('error', keepErrors(errors))
  providers.push(provider)
  return { provider, errors }
}

const accessReply = (name: string, data: unknown) =>
  JSON.stringify({ name: `projects/${emulator.project}/secrets/${name}/versions/1`, payload: { data } })

describe('malformed AccessSecretVersion replies through the real client (REST)', () => {
  it('payload.data that is not base64 (faults.fail("invalidBase64")): transient, the held value kept', async () => {
    const id = unique('b64')
    const held = canary('held')
    emulator.createSecret(id, held)
    const { provider, errors } = setup()
    expect(await provider.getSecret(id)).toBe(held)
    emulator.addVersion(id, canary('lied'))
    emulator.faults.fail('invalidBase64', { rpc: 'AccessSecretVersion' })
    const error = await refreshFailure(provider, errors, id)
    expect(emulator.calls().at(-1)?.fault).toBe('invalidBase64')
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(await provider.getSecret(id)).toBe(held)
  })

  it('a dataCrc32c that does not match the payload: transient, the held value kept', async () => {
    const id = unique('crc')
    const held = canary('held')
    emulator.createSecret(id, held)
    const { provider, errors } = setup()
    expect(await provider.getSecret(id)).toBe(held)
    emulator.addVersion(id, canary('lied'))
    emulator.faults.fail('checksumMismatch', { rpc: 'AccessSecretVersion' })
    expect(await refreshFailure(provider, errors, id)).toMatchObject({
      code: 'ERR_SECRET_UNAVAILABLE',
      transient: true,
    })
    expect(await provider.getSecret(id)).toBe(held)
  })
})

describe('payload data handed over as text (a client that keeps bytes as base64 strings)', () => {
  /** A client whose accessSecretVersion answers `reply` (the narrow unit case: no transport decodes it). */
  function textClient(reply: object) {
    return {
      initialize: async () => undefined,
      close: async () => undefined,
      accessSecretVersion: async () => [reply],
    }
  }
  const cases: Array<[string, string]> = [
    ['characters outside the alphabet', '!!!not*base64'],
    ['spaces', 'aGVs bG8='],
    ['text after the padding', 'aGVsbG8=x'],
    ['an impossible length', 'aGVsb'],
    ['mixed alphabets', 'aGVs+G8_'],
  ]
  it.each(cases)('refuses %s as malformed (transient), strictly', async (_label, data) => {
    const source = new GoogleSecretManagerSource({
      project: 'latchkey-unit',
      client: textClient(JSON.parse(accessReply('x', data))) as never,
    })
    await expect(source.load('x', { signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'ERR_SECRET_UNAVAILABLE',
      transient: true,
      message: expect.stringMatching(/not base64/),
    })
  })

  it('accepts padded, unpadded and URL-safe base64', async () => {
    for (const data of ['aGVsbG8=', 'aGVsbG8', 'aGVs-G8_']) {
      const source = new GoogleSecretManagerSource({
        project: 'latchkey-unit',
        client: textClient(JSON.parse(accessReply('x', data))) as never,
      })
      const loaded = await source.load('x', { signal: new AbortController().signal })
      expect(Buffer.from(loaded.value).toString('base64url')).toBe(
        Buffer.from(data, 'base64').toString('base64url'),
      )
    }
  })
})
