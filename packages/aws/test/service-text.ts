/**
 * The service-text suite both AWS services run (`src/secrets-manager/service-text.test.ts`,
 * `src/parameter-store/service-text.test.ts`): a reply echoing a canary reaches no message, cause
 * or log, and exactly one access denial is permanent and then gives way to the value.
 */
import { inspect } from 'node:util'
import { CachedSecretProvider, ErrorCode, SecretError, type SecretSource } from '@latchkey/core'
import { assertNoCanary, canary, rejectionOf } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'

/** An error reply the emulator sends once. */
export interface ServiceFault {
  status: number
  type: string
  message: string
}

/** One AWS service as the suite drives it, read after its emulator started. */
export interface EchoedService {
  /** A fresh secret name in the service's form (`echo/1`, `/echo/1`). */
  name(label: string): string
  /** Stores `value` under `name` in the emulator. */
  seed(name: string, value: string): void
  /** A source over the emulator, SDK retries off. */
  source(): SecretSource
  /** Queues one error reply. */
  failOnce(fault: ServiceFault): void
  /** Queues one access denial of the service's read operation. */
  denyReadOnce(): void
  /** Faults queued and not yet answered. */
  pending(): number
  /** The service's own 5xx error type (`InternalServiceError`, `InternalServerError`). */
  serverError: string
}

/** The suite, over `service()` and closing every provider it builds through `providers` (the file's `emulatorHooks`). */
export function serviceTextSuite(service: () => EchoedService, providers: CachedSecretProvider[]): void {
  describe('service text in error bodies (a service or proxy echoing a value)', () => {
    it('an echoed value reaches neither message, cause nor log (access denied and 5xx)', async () => {
      const s = service()
      const name = s.name('echo')
      s.seed(name, canary('echo-held'))
      const cases: Array<[ServiceFault, string]> = [
        [
          { status: 400, type: 'AccessDeniedException', message: `denied ${canary('echo')}` },
          ErrorCode.ACCESS_DENIED,
        ],
        [{ status: 500, type: s.serverError, message: `oops ${canary('echo')}` }, ErrorCode.UNAVAILABLE],
      ]
      for (const [fault, code] of cases) {
        const logs: unknown[] = []
        const provider = new CachedSecretProvider(s.source(), {
          retry: { retries: 0 },
          minRefreshInterval: 0,
          logger: { warn: (message, meta) => logs.push([message, meta]) },
        })
        providers.push(provider)
        s.failOnce(fault)
        const error = await rejectionOf(provider.getSecret(name), SecretError)
        expect(error.code).toBe(code)
        expect((error.cause as Error | undefined)?.name).toBe(fault.type)
        assertNoCanary(error.message, 'the error message')
        assertNoCanary(inspect(error, { showHidden: true, depth: 10 }), 'the error and its cause, deep')
        assertNoCanary(inspect(logs, { showHidden: true, depth: 10 }), 'the log')
      }
    })
  })

  describe('exactly one access-denied answer (times: 1) maps to SecretAccessDeniedError (permanent)', () => {
    it('one denial of the read operation, then the value', async () => {
      const s = service()
      const name = s.name('deny')
      const value = canary('deny')
      s.seed(name, value)
      const source = s.source()
      s.denyReadOnce()
      const signal = new AbortController().signal
      await expect(source.load(name, { signal })).rejects.toMatchObject({
        code: ErrorCode.ACCESS_DENIED,
        transient: false,
      })
      expect(s.pending()).toBe(0)
      await expect(source.load(name, { signal })).resolves.toMatchObject({ value })
      await source.close?.()
    })
  })
}
