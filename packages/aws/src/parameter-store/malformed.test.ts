import { CachedSecretProvider, type SecretError } from '@latchkey/core'
import { canary, emulatorHooks, keepErrors, liedToCacheOptions, refreshFailure } from '@latchkey/test-support'
import { type ParameterStoreEmulator, startParameterStoreEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AwsParameterStoreSource } from '../index.js'

// Per-file state as module variables on purpose; the shared hooks are emulatorHooks().
let emulator: ParameterStoreEmulator
const providers: CachedSecretProvider[] = []
let counter = 0
const unique = (label: string) => `/lie/${label}-${++counter}`

emulatorHooks(startParameterStoreEmulator, {
  started: (started) => {
    emulator = started
  },
  providers,
})

function setup() {
  const source = new AwsParameterStoreSource({ ...emulator.clientConfig })
  const provider = new CachedSecretProvider(source, liedToCacheOptions())
  const errors: SecretError[] = []
  provider.on('error', keepErrors(errors))
  providers.push(provider)
  return { provider, errors }
}

describe('a reply naming another parameter than the one asked for (faults.fail("otherParameter"))', () => {
  it('GetParameter: a transient error, the held value is kept and served, never the other value', async () => {
    const name = unique('one')
    const held = canary('held')
    emulator.putParameter(name, held)
    const { provider, errors } = setup()
    expect(await provider.getSecret(name)).toBe(held)
    emulator.rotate(name, canary('lied'))
    emulator.faults.fail('otherParameter', { operation: 'GetParameter' })
    const error = await refreshFailure(provider, errors, name)
    expect(emulator.calls('GetParameter').at(-1)?.fault).toBe('otherParameter')
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(error?.message).toMatch(/named another parameter/)
    expect(await provider.getSecret(name)).toBe(held)
  })

  it('GetParameters (loadMany): no name is served from a reply that lists a parameter not asked for', async () => {
    const names = [unique('batch-a'), unique('batch-b')]
    for (const name of names) emulator.putParameter(name, canary('batch'))
    const source = new AwsParameterStoreSource({ ...emulator.clientConfig })
    emulator.faults.fail('otherParameter', { operation: 'GetParameters' })
    const results = await source.loadMany(names, { signal: new AbortController().signal })
    await source.close()
    expect(emulator.calls('GetParameters')[0]?.fault).toBe('otherParameter')
    for (const name of names) {
      expect(results.get(name)).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    }
  })

  it('GetParametersByPath: a parameter outside the path is a transient error; the held object stays', async () => {
    const path = `${unique('tree')}/`
    const held = canary('tree')
    emulator.putParameter(`${path}db/password`, held)
    const { provider, errors } = setup()
    expect(await provider.getJson(path)).toEqual({ 'db/password': held })
    emulator.faults.fail('otherParameter', { operation: 'GetParametersByPath' })
    const error = await refreshFailure(provider, errors, path)
    expect(error).toMatchObject({ code: 'ERR_SECRET_UNAVAILABLE', transient: true })
    expect(await provider.getJson(path)).toEqual({ 'db/password': held })
  })
})
