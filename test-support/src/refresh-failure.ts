/**
 * For the tests that feed a source a malformed or lying reply to a reload and check that the
 * cache keeps the held value: the cache options they share, and how they read the failure.
 * Structural, so test-support needs no copy of `@latchkey/core`.
 */
import { steadyCacheOptions } from './emulator-hooks.js'

/**
 * The cache options of those tests: {@link steadyCacheOptions} on the real clock, forced
 * refreshes never rate-limited and no retries, so one lie is one failed load.
 */
export function liedToCacheOptions() {
  return { ...steadyCacheOptions(Date.now), minRefreshInterval: 0, retry: { retries: 0 } }
}

/**
 * An `'error'` listener that keeps each reported error in `errors`, in order, as the test's error
 * type (core reports a `SecretError` there; the event's declared type is `Error`).
 */
export function keepErrors<E>(errors: E[]): (event: { error: unknown }) => void {
  return (event) => {
    errors.push(event.error as E)
  }
}

/**
 * The error a forced refresh of `name` ended with: its rejection, or — when it resolved because the
 * cache kept the held value — the last error the provider reported into `errors` (see
 * {@link keepErrors}); `undefined` when it did not fail.
 */
export async function refreshFailure<E>(
  provider: { refresh(name: string): Promise<unknown> },
  errors: readonly E[],
  name: string,
): Promise<E | undefined> {
  const rejected = await provider.refresh(name).then(
    () => undefined,
    (error: E) => error,
  )
  return rejected ?? errors.at(-1)
}
