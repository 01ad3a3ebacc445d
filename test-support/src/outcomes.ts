import { inspect } from 'node:util'
import { expect } from 'vitest'

/**
 * What `promise` rejects with. The test fails when it resolves, or, given `type`, when the reason is
 * not an instance of it.
 */
export async function rejectionOf<T = unknown>(
  promise: PromiseLike<unknown>,
  type?: abstract new (...args: never[]) => T,
): Promise<T> {
  const settled = await Promise.resolve(promise).then(
    () => ({ rejected: false as const }),
    (reason: unknown) => ({ rejected: true as const, reason }),
  )
  if (!settled.rejected) throw new Error('expected the promise to reject, but it resolved')
  if (type !== undefined) expect(settled.reason).toBeInstanceOf(type)
  return settled.reason as T
}

/** What `run` throws; the test fails when it returns. The synchronous twin of {@link rejectionOf}. */
export function thrownBy<T = unknown>(run: () => unknown, type?: abstract new (...args: never[]) => T): T {
  try {
    run()
  } catch (error) {
    if (type !== undefined) expect(error).toBeInstanceOf(type)
    return error as T
  }
  throw new Error('expected the call to throw, but it returned')
}

/** Everything a value could print: `String()`, `util.inspect` (causes and hidden fields) and JSON. */
export function printed(value: unknown): string {
  return `${String(value)}\n${inspect(value, { depth: 10, showHidden: true })}\n${JSON.stringify(value)}`
}
