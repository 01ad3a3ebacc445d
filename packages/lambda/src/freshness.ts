import type { SecretHealth, SecretProviderLike, SecretsHealth } from '@latchkey/core'

/**
 * What to do for one secret at the start of an invocation, from its health: a value that is
 * missing, failing or past its expiry is reloaded and waited for; a fresh one past the refresh
 * point (`refreshAhead` of its life) is reloaded without waiting; anything else is left alone.
 * Decided from the clock at invocation start, so it works when no timer ran while the sandbox
 * was frozen.
 */
export function freshnessStep(
  health: SecretHealth,
  refreshAhead: number,
  now: number,
): 'wait' | 'background' | 'none' {
  if (health.status !== 'fresh' || health.loadedAt === undefined || health.expiresAt === undefined) {
    return 'wait'
  }
  if (refreshAhead <= 0) return 'none'
  const refreshAt = health.loadedAt + (health.expiresAt - health.loadedAt) * refreshAhead
  return now >= refreshAt ? 'background' : 'none'
}

/** Waits `ms` on a timer that is cleared by `stop` (so nothing lingers once the invocation moves on). */
function pause(ms: number, stop: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    stop.then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

/**
 * Loads `name` until it has a servable value, a load fails permanently, or `stop` settles (the
 * budget ran out): a transient failure with nothing servable starts another load, so an
 * invocation that joins the end of a failing retry chain still gets its own attempts. Records the
 * last failure in `failures`. Without a deadline (`again` false) it makes one attempt: the
 * provider's retry policy is then the only bound.
 */
async function loadUntilServable(
  provider: SecretProviderLike,
  name: string,
  failures: Map<string, unknown>,
  stop: Promise<unknown>,
  stopped: () => boolean,
  again: boolean,
): Promise<void> {
  while (!stopped()) {
    const started = Date.now()
    try {
      await provider.getSecret(name)
      failures.delete(name)
      return
    } catch (error) {
      failures.set(name, error)
      if (!again || isPermanent(error) || provider.health([name]).secrets[0]?.servable === true) return
    }
    // a failure that came at once (a failing entry answers without a new load) waits a little first
    if (Date.now() - started < RETRY_PAUSE) await pause(RETRY_PAUSE, stop)
  }
}

/** How long to wait before loading again after a transient failure that came back at once. */
const RETRY_PAUSE = 50

function isPermanent(error: unknown): boolean {
  return (error as { transient?: unknown } | null)?.transient === false
}

/** What {@link refreshDue} found: the failures of awaited names, and the health report when nothing was awaited. */
export interface RefreshOutcome {
  /** The last error of each awaited name that has no value yet, by name (a stale value may still be servable). */
  failures: Map<string, unknown>
  /**
   * The report the decision was made from, when every name was fresh (nothing awaited): still
   * true afterwards, since a reload merely started in the background changes no value or time.
   * `undefined` when a load was awaited, so the caller asks again.
   */
  report: SecretsHealth | undefined
}

/**
 * Brings every name up to date as far as `budget` ms allow (no bound when `undefined`): waits for
 * the reloads that are needed (loading again after transient failures while time is left), starts
 * the ones that are merely due, and resolves when they end or the budget runs out, whichever comes
 * first. Never rejects: it resolves with the last error of each awaited name that has no value yet,
 * by name (a stale value may still be servable).
 */
export async function refreshDue(
  provider: SecretProviderLike,
  names: readonly string[],
  refreshAhead: number,
  budget: number | undefined,
): Promise<RefreshOutcome> {
  const failures = new Map<string, unknown>()
  const report = provider.health(names)
  const waited: string[] = []
  for (const health of report.secrets) {
    const step = freshnessStep(health, refreshAhead, report.checkedAt)
    if (step === 'wait') waited.push(health.name)
    else if (step === 'background') provider.refresh(health.name).catch(() => undefined)
  }
  if (waited.length === 0) return { failures, report }
  let timer: ReturnType<typeof setTimeout> | undefined
  let ended = false
  const expired = new Promise<void>((resolve) => {
    if (budget !== undefined) timer = setTimeout(resolve, Math.max(0, budget))
  }).then(() => {
    ended = true
  })
  const all = Promise.all(
    waited.map((name) =>
      loadUntilServable(provider, name, failures, expired, () => ended, budget !== undefined),
    ),
  )
  try {
    await Promise.race([all, expired])
  } finally {
    ended = true
    clearTimeout(timer)
  }
  return { failures: new Map(failures), report: undefined }
}
