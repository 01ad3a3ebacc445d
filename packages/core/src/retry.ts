import { type SecretError, SecretTimeoutError, toSecretError } from './errors.js'

/** Resolved retry settings. */
export interface RetryPolicy {
  retries: number
  baseDelay: number
  maxDelay: number
  timeout: number
  random: () => number
}

/** Full-jitter backoff: a random delay between 0 and `min(maxDelay, baseDelay × 2^attempt)`. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  return Math.floor(policy.random() * Math.min(policy.maxDelay, policy.baseDelay * 2 ** attempt))
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    timer.unref?.()
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Runs one attempt with its own AbortSignal that fires after `timeout` ms or when `outer` aborts. */
async function attemptWithTimeout<T>(
  run: (signal: AbortSignal) => Promise<T>,
  timeout: number,
  outer: AbortSignal,
  context: { secretName: string; source: string },
): Promise<T> {
  const controller = new AbortController()
  const onOuterAbort = () => controller.abort(outer.reason)
  outer.addEventListener('abort', onOuterAbort, { once: true })
  let timer: ReturnType<typeof setTimeout> | undefined
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new SecretTimeoutError(timeout, context)
      controller.abort(error)
      reject(error)
    }, timeout)
    timer.unref?.()
  })
  try {
    return await Promise.race([run(controller.signal), timedOut])
  } finally {
    clearTimeout(timer)
    outer.removeEventListener('abort', onOuterAbort)
  }
}

/**
 * Calls `run` until it succeeds, a permanent error occurs, retries run out, or `outer` aborts.
 * Every failure is normalised to a {@link SecretError}.
 */
export async function withRetry<T>(
  run: (signal: AbortSignal) => Promise<T>,
  policy: RetryPolicy,
  outer: AbortSignal,
  context: { secretName: string; source: string },
  onRetry?: (error: SecretError, attempt: number, delay: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptWithTimeout(run, policy.timeout, outer, context)
    } catch (raw) {
      const error = toSecretError(raw, context.secretName, context.source)
      if (!error.transient || attempt >= policy.retries || outer.aborted) throw error
      const delay = backoffDelay(attempt, policy)
      onRetry?.(error, attempt + 1, delay)
      await sleep(delay, outer)
      if (outer.aborted) throw error
    }
  }
}
