import { MAX_TIMER_MS } from './cache-options.js'
import { describeValue } from './describe-type.js'
import { InvalidOptionsError } from './errors.js'

/**
 * How `preload(names, options)` spreads its reads, so that a fleet starting together stays inside
 * the backend's request quota. With either option set, every name is loaded with its own `load`
 * (never `loadMany`): a per-secret request rate is what quotas limit, and for AWS Secrets Manager
 * single reads have the larger quota (10,000 GetSecretValue/s per Region against 100
 * BatchGetSecretValue/s of 20 secrets, i.e. 2,000 secrets/s).
 */
export interface PreloadOptions {
  /** Most loads in flight at once: a whole number from 1, or `Infinity`. @default Infinity */
  concurrency?: number
  /**
   * Most loads started per second (they start 1000 / `ratePerSecond` ms apart): above 0, or
   * `Infinity` for no pacing. For a fleet, about 0.8 × the quota / the instances starting
   * together. @default Infinity
   */
  ratePerSecond?: number
  /**
   * Whether the names become **required** by the default health check (`health()` without names):
   * a required secret with nothing to serve makes the report `down` (503). A route guard that
   * preloads what only its routes need passes `false`, so one failing secret does not take the
   * whole instance out of a load balancer. Must be a boolean. @default true
   */
  required?: boolean
}

/** Checks `preload`'s `required` option. */
export function preloadRequired(options: PreloadOptions | undefined): boolean {
  const required: unknown = options?.required
  if (required === undefined) return true
  if (typeof required !== 'boolean') {
    throw new InvalidOptionsError(
      `preload option "required" must be true or false (got ${describeValue(required)})`,
    )
  }
  return required
}

/** Checked pacing: `undefined` when neither option is set (preload batches as before). */
export interface Pacing {
  concurrency: number
  intervalMs: number
}

/** Checks `preload`'s options; throws {@link InvalidOptionsError} naming the option, the value's type and the range. */
export function resolvePreloadOptions(options: PreloadOptions | undefined): Pacing | undefined {
  if (options === undefined) return undefined
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(`preload options must be an object (got ${describeValue(options)})`)
  }
  const { concurrency, ratePerSecond } = options
  if (concurrency === undefined && ratePerSecond === undefined) return undefined
  if (
    concurrency !== undefined &&
    (typeof concurrency !== 'number' ||
      !(concurrency >= 1) ||
      (!Number.isInteger(concurrency) && concurrency !== Number.POSITIVE_INFINITY))
  ) {
    throw new InvalidOptionsError(
      `preload option "concurrency" must be a whole number from 1, or Infinity (got ${describeValue(concurrency)})`,
    )
  }
  if (ratePerSecond !== undefined && (typeof ratePerSecond !== 'number' || !(ratePerSecond > 0))) {
    throw new InvalidOptionsError(
      `preload option "ratePerSecond" must be a number above 0, or Infinity (got ${describeValue(ratePerSecond)})`,
    )
  }
  const rate = ratePerSecond ?? Number.POSITIVE_INFINITY
  return {
    concurrency: concurrency ?? Number.POSITIVE_INFINITY,
    intervalMs: Math.min(MAX_TIMER_MS, 1_000 / rate),
  }
}

/**
 * Runs `task` for every item, in order, with at most `pacing.concurrency` running and starts
 * `pacing.intervalMs` apart; settles like `Promise.allSettled`. The waits are ordinary (ref'd)
 * timers: a caller awaits the preload. Once `stopped()` is true, items not yet started get
 * `task` at once (which rejects on a closed provider) instead of waiting their turn.
 */
export async function settlePaced<T>(
  items: readonly T[],
  pacing: Pacing,
  task: (item: T) => Promise<void>,
  stopped: () => boolean,
): Promise<PromiseSettledResult<void>[]> {
  const results: PromiseSettledResult<void>[] = new Array(items.length)
  let next = 0
  let gate: Promise<void> = Promise.resolve()
  const turn = (): Promise<void> => {
    const mine = gate
    gate =
      pacing.intervalMs > 0
        ? mine.then(() =>
            stopped() ? undefined : new Promise((resolve) => setTimeout(resolve, pacing.intervalMs)),
          )
        : mine
    return mine
  }
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      await turn()
      try {
        await task(items[index] as T)
        results[index] = { status: 'fulfilled', value: undefined }
      } catch (reason) {
        results[index] = { status: 'rejected', reason }
      }
    }
  }
  const workers = Math.min(items.length, pacing.concurrency)
  await Promise.all(Array.from({ length: workers }, worker))
  return results
}
