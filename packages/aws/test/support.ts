/** Helpers for this package's failure tests, shared by Secrets Manager and Parameter Store. */
import {
  CachedSecretProvider,
  type CacheOptions,
  ErrorCode,
  SecretError,
  type SecretSource,
} from '@latchkey/core'
import { assertNoCanary, printed, rejectionOf } from '@latchkey/test-support'
import { expect } from 'vitest'

/** Provider retries in the failure tests: a transient failure is `RETRIES + 1` requests. */
export const RETRIES = 3

/** A provider over `source` retrying {@link RETRIES} times without waiting, kept in `providers` to be closed. */
export function retryingProvider(
  source: SecretSource,
  providers: CachedSecretProvider[],
  options: CacheOptions = {},
): CachedSecretProvider {
  const p = new CachedSecretProvider(source, {
    retry: { retries: RETRIES, baseDelay: 1, maxDelay: 5 },
    logger: { warn: () => undefined },
    ...options,
  })
  providers.push(p)
  return p
}

/** The {@link SecretError} `promise` rejects with; its printed form names no canary. */
export async function failure(promise: Promise<unknown>, what: string): Promise<SecretError> {
  const error = await rejectionOf(promise, SecretError)
  assertNoCanary(printed(error), what)
  return error
}

/** What one mapped-failure case expects. */
export interface MappedFailure {
  code: string
  transient: boolean
  /** The cause's `name`. */
  cause: string
}

/**
 * The checks of a mapped-failure case: the code, transience, secret, source and cause, one request
 * (or `RETRIES + 1` when transient), and every request the SDK's first and only attempt (SDK retries off).
 */
export function expectMapped(
  error: SecretError,
  expected: MappedFailure & { secretName: string; source: string },
  calls: ReadonlyArray<{ sdkRequest?: string | undefined }>,
): void {
  expect(error.code).toBe(expected.code)
  expect(error.transient).toBe(expected.transient)
  expect(error.secretName).toBe(expected.secretName)
  expect(error.source).toBe(expected.source)
  expect((error.cause as Error).name).toBe(expected.cause)
  expect(calls).toHaveLength(expected.transient ? RETRIES + 1 : 1)
  expect(new Set(calls.map((call) => call.sdkRequest))).toEqual(new Set(['attempt=1; max=1']))
}

/** The checks of a reply slower than the timeout: ERR_SECRET_TIMEOUT, transient, the one request aborted. */
export function expectTimedOut(error: SecretError, calls: ReadonlyArray<{ status: number }>): void {
  expect(error.code).toBe(ErrorCode.TIMEOUT)
  expect(error.transient).toBe(true)
  expect(calls).toMatchObject([{ status: 0 }])
}
