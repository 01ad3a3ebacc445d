import { inspect } from 'node:util'
import { CachedSecretProvider, ErrorCode, type SecretError } from '@latchkey/core'
import { assertNoCanary, canary, emulatorHooks } from '@latchkey/test-support'
import { type KeyVaultEmulator, startKeyVaultEmulator } from '@latchkey/testing'
import { describe, expect, it } from 'vitest'
import { AzureKeyVaultSource } from '../index.js'

// Per-file state as module variables on purpose; the shared hooks are emulatorHooks().
let kv: KeyVaultEmulator
let counter = 0
const providers: CachedSecretProvider[] = []

emulatorHooks(startKeyVaultEmulator, {
  started: (started) => {
    kv = started
  },
  providers,
})

const source = () =>
  new AzureKeyVaultSource({
    vaultUrl: kv.vaultUrl,
    credential: kv.credential,
    clientOptions: kv.clientOptions,
  })

describe('Key Vault error bodies echoing a value', () => {
  it('reach neither the message, the cause (deep) nor the log, for a 403 and a 500', async () => {
    const name = `echo-${++counter}`
    kv.setSecret(name, canary('held'))
    for (const [fault, code] of [
      [{ status: 403, code: 'Forbidden', message: `no ${canary('echo')}` }, ErrorCode.ACCESS_DENIED],
      [
        { status: 500, code: 'InternalServerError', message: `oops ${canary('echo')}` },
        ErrorCode.UNAVAILABLE,
      ],
    ] as const) {
      const logs: unknown[] = []
      const provider = new CachedSecretProvider(source(), {
        retry: { retries: 0 },
        logger: { warn: (message, meta) => logs.push([message, meta]) },
      })
      providers.push(provider)
      kv.faults.fail(fault, { operation: 'getSecret' })
      const error = await provider.getSecret(name).then(
        () => undefined,
        (e: SecretError) => e,
      )
      expect(error?.code).toBe(code)
      expect((error?.cause as { code?: string } | undefined)?.code).toBe(fault.code)
      assertNoCanary(String(error?.message), 'the error message')
      assertNoCanary(inspect(error, { showHidden: true, depth: 10 }), 'the error and its cause, deep')
      assertNoCanary(inspect(logs, { showHidden: true, depth: 10 }), 'the log')
    }
  })
})

describe('exactly one access-denied answer (times: 1) maps to SecretAccessDeniedError (permanent)', () => {
  for (const kind of ['unauthorized', 'forbidden'] as const) {
    it(`faults.fail('${kind}', { times: 1 }): one denial, then the value`, async () => {
      const name = `deny-${kind}-${++counter}`
      const value = canary('deny')
      kv.setSecret(name, value)
      const src = source()
      kv.faults.fail(kind, { times: 1, operation: 'getSecret' })
      const signal = new AbortController().signal
      await expect(src.load(name, { signal })).rejects.toMatchObject({
        code: ErrorCode.ACCESS_DENIED,
        transient: false,
      })
      expect(kv.faults.pending).toBe(0)
      await expect(src.load(name, { signal })).resolves.toMatchObject({ value })
      await src.close()
    })
  }
})
