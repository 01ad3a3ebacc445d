import type { SecretHealth, SecretProviderLike } from '@latchkey/core'

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

/**
 * Brings every name up to date as far as `budget` ms allow (no bound when `undefined`): waits for
 * the reloads that are needed, starts the ones that are merely due, and resolves when they end or
 * the budget runs out, whichever comes first. Never rejects: it resolves with the error of each
 * awaited load that failed in time, by name (a stale value may still be servable).
 */
export async function refreshDue(
  provider: SecretProviderLike,
  names: readonly string[],
  refreshAhead: number,
  budget: number | undefined,
): Promise<Map<string, unknown>> {
  const failures = new Map<string, unknown>()
  const waits: Promise<unknown>[] = []
  const report = provider.health(names)
  for (const health of report.secrets) {
    const step = freshnessStep(health, refreshAhead, report.checkedAt)
    if (step === 'wait') {
      waits.push(provider.getSecret(health.name).catch((error: unknown) => failures.set(health.name, error)))
    } else if (step === 'background') {
      provider.refresh(health.name).catch(() => undefined)
    }
  }
  if (waits.length === 0) return failures
  const all = Promise.all(waits)
  if (budget === undefined) {
    await all
    return failures
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, budget))
  })
  try {
    await Promise.race([all, expired])
  } finally {
    clearTimeout(timer)
  }
  return new Map(failures)
}
