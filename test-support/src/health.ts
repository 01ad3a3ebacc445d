/**
 * The health-report scenario the adapters' health tests share (Express, Fastify, Nest): one secret,
 * `db/password`, loaded at {@link HEALTH_START} with a 60 s TTL and 600 s of stale serving, then
 * served stale after a failed reload, then past its stale window.
 */

/** When the scenario's clock starts (epoch ms). */
export const HEALTH_START = 1_700_000_000_000

/** The provider options of the scenario, reading the time from `clock.now`. */
export function healthProviderOptions(clock: { now: number }) {
  return {
    ttl: 60_000,
    refreshAhead: 0,
    maxStale: 600_000,
    retry: { retries: 0 },
    clock: () => clock.now,
    logger: { warn: () => undefined },
  }
}

/** The report entry of `db/password` loaded at the start and read `ageMs` later. */
export function freshEntry(ageMs: number) {
  return {
    name: 'db/password',
    status: 'fresh',
    servable: true,
    required: true,
    loading: false,
    version: 'v1',
    loadedAt: HEALTH_START,
    ageMs,
    expiresAt: HEALTH_START + 60_000,
  }
}

/** The report entry (a subset, for `toMatchObject`) of `db/password` served stale after a failed reload. */
export const staleEntry = {
  name: 'db/password',
  status: 'stale',
  servable: true,
  staleSince: HEALTH_START + 60_000,
  staleUntil: HEALTH_START + 660_000,
  errorCode: 'ERR_SECRET_UNAVAILABLE',
} as const

/** The report entry (a subset) of `db/password` past its stale window: nothing to serve. */
export const failingEntry = {
  name: 'db/password',
  status: 'failing',
  servable: false,
  errorCode: 'ERR_SECRET_UNAVAILABLE',
} as const
