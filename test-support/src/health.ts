/**
 * The health-report scenario the adapters' health tests share (Express, Fastify, Nest): one secret,
 * `db/password`, loaded at {@link HEALTH_START} with a 60 s TTL and 600 s of stale serving, then
 * served stale after a failed reload, then past its stale window.
 */
import { expect } from 'vitest'
import { assertNoCanary } from './canary.js'

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

/**
 * Makes `source`'s loads fail with `error(name)` once the returned function is called: a backend
 * that goes down. Patches the instance, not its class.
 */
export function flakyLoads<S extends { load(name: string, ...rest: never[]): Promise<unknown> }>(
  source: S,
  error: (name: string) => Error,
): () => void {
  let failing = false
  const load = source.load.bind(source)
  source.load = ((name: string, ...rest: never[]) =>
    failing ? Promise.reject(error(name)) : load(name, ...rest)) as S['load']
  return () => {
    failing = true
  }
}

/** What {@link healthReportScenario} drives: a health endpoint serving `db/password`, loaded at the start. */
export interface HealthReportScenarioOptions {
  /** The health endpoint's URL (the report for `names: ['db/password']`). */
  url: string
  /** The scenario's clock (see {@link healthProviderOptions}), still at {@link HEALTH_START}. */
  clock: { now: number }
  /** Makes the source's loads fail from now on (see {@link flakyLoads}). */
  fail(): void
  /** Reads `db/password` through the provider, so that its failing reload is recorded. */
  read(): Promise<unknown>
}

/**
 * The report's three states over HTTP: fresh (200, `ok`, `no-store`, the full report), stale after
 * a failed reload (200, `degraded`, since when), past the stale window (503, `down`). No response
 * contains a canary.
 */
export async function healthReportScenario({
  url,
  clock,
  fail,
  read,
}: HealthReportScenarioOptions): Promise<void> {
  clock.now += 1_000
  let res = await fetch(url)
  let text = await res.text()
  expect(res.status).toBe(200)
  expect(res.headers.get('cache-control')).toBe('no-store')
  expect(JSON.parse(text)).toEqual({
    status: 'ok',
    source: 'memory',
    checkedAt: HEALTH_START + 1_000,
    secrets: [freshEntry(1_000)],
  })
  assertNoCanary(text, 'the health response')

  fail()
  clock.now += 90_000
  await read() // the reload fails: served stale
  res = await fetch(url)
  text = await res.text()
  expect(res.status).toBe(200)
  expect(JSON.parse(text)).toMatchObject({ status: 'degraded', secrets: [staleEntry] })
  assertNoCanary(text, 'the health response')

  clock.now += 600_000 // past maxStale
  res = await fetch(url)
  text = await res.text()
  expect(res.status).toBe(503)
  expect(JSON.parse(text)).toMatchObject({ status: 'down', secrets: [failingEntry] })
  assertNoCanary(text, 'the health response')
}

/** A health response's overall status and, per secret, `[name, status, required]`. */
export async function reportRows(
  res: Response,
): Promise<{ status: string; rows: Array<[name: string, status: string, required: boolean]> }> {
  const body = (await res.json()) as {
    status: string
    secrets: Array<{ name: string; status: string; required: boolean }>
  }
  return { status: body.status, rows: body.secrets.map((s) => [s.name, s.status, s.required]) }
}
