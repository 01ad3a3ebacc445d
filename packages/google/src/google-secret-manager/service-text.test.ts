import { inspect } from 'node:util'
import { CachedSecretProvider, ErrorCode, type SecretError } from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks } from '@latchkey/test-support'
import { type GoogleSecretManagerEmulator, startGoogleSecretManagerEmulator } from '@latchkey/testing'
import { afterEach, describe, expect, it } from 'vitest'
import { emulatorSource } from '../../test/support.js'
import type { GoogleSecretManagerSource } from '../index.js'

// Per-file state as module variables on purpose; the shared hooks are emulatorHooks().
let emulator: GoogleSecretManagerEmulator
let counter = 0
const providers: CachedSecretProvider[] = []
const sources: GoogleSecretManagerSource[] = []

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.close()))
})
emulatorHooks(startGoogleSecretManagerEmulator, {
  started: (started) => {
    emulator = started
  },
  providers,
})

describe('Secret Manager error bodies echoing a value', () => {
  it('reach neither the message, the cause (deep) nor the log, for a 403 and a 500', async () => {
    const id = `echo-${++counter}`
    emulator.createSecret(id, canary('held'))
    for (const [fault, code] of [
      [{ status: 403, code: 'PERMISSION_DENIED', message: `no ${canary('echo')}` }, ErrorCode.ACCESS_DENIED],
      [{ status: 500, code: 'INTERNAL', message: `oops ${canary('echo')}` }, ErrorCode.UNAVAILABLE],
    ] as const) {
      const logs: unknown[] = []
      const provider = new CachedSecretProvider(emulatorSource(emulator), {
        retry: { retries: 0 },
        logger: { warn: (message, meta) => logs.push([message, meta]) },
      })
      providers.push(provider)
      emulator.faults.fail(fault, { rpc: 'AccessSecretVersion' })
      const error = await provider.getSecret(id).then(
        () => undefined,
        (e: SecretError) => e,
      )
      expect(error?.code).toBe(code)
      expect((error?.cause as { httpStatusCode?: number } | undefined)?.httpStatusCode).toBe(fault.status)
      assertNoCanary(String(error?.message), 'the error message')
      assertNoCanary(inspect(error, { showHidden: true, depth: 10 }), 'the error and its cause, deep')
      assertNoCanary(inspect(logs, { showHidden: true, depth: 10 }), 'the log')
    }
  })
})

describe('exactly one access-denied answer (times: 1) maps to SecretAccessDeniedError (permanent)', () => {
  for (const kind of ['unauthenticated', 'permissionDenied'] as const) {
    it(`faults.fail('${kind}', { times: 1 }): one denial, then the value`, async () => {
      const id = `deny-${kind}-${++counter}`
      const value = canary('deny')
      emulator.createSecret(id, value)
      const source = emulatorSource(emulator)
      sources.push(source)
      emulator.faults.fail(kind, { times: 1, rpc: 'AccessSecretVersion' })
      const signal = new AbortController().signal
      await expect(source.load(id, { signal })).rejects.toMatchObject({
        code: ErrorCode.ACCESS_DENIED,
        transient: false,
      })
      expect(emulator.faults.pending).toBe(0)
      await expect(source.load(id, { signal })).resolves.toMatchObject({ value })
    })
  }
})
