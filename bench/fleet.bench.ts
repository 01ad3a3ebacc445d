/**
 * Fleet simulator: N instances × M secrets against a model of AWS Secrets Manager with the real
 * per-Region quotas, driven by a model of the cache policy of `CachedSecretProvider` (defaults:
 * TTL 5 min, refresh-ahead at 80 % with 10 % jitter, 3 retries with full-jitter backoff from 100 ms
 * capped at 2 s, background retries spaced by `minRefreshInterval` and growing to 30 s, forced
 * refreshes at most once a second per name) and of `watchSecretsManagerEvents` (push).
 *
 * Deterministic (seeded PRNG) and simulated time: a bucket queue of 10 ms ticks, no real sleeps.
 * It is a model of the policy, not 1,000,000 real provider entries: core schedules with real
 * `setTimeout`s, and fake-timer libraries scan their timer list, which does not scale to a million
 * timers. What is and is not simulated is listed in bench/README.md.
 *
 * Run: `pnpm bench fleet` at the root, or `npx tsx fleet.bench.ts [--instances N] [--secrets M]
 * [--window S] [--hours H]` here.
 */
import { pathToFileURL } from 'node:url'
import { prng, type Row } from './measure.js'

/** Per-Region request quotas (requests per second). See docs/wire-facts.md#fleet-scale-quotas-events-and-sqs. */
export const QUOTAS = { GetSecretValue: 10_000, DescribeSecret: 40_000, BatchGetSecretValue: 100 } as const
type Api = keyof typeof QUOTAS
const APIS: Api[] = ['GetSecretValue', 'DescribeSecret', 'BatchGetSecretValue']

export interface FleetConfig {
  instances: number
  secrets: number
  /** Instances start at uniformly spread times within this window. */
  deployWindowMs: number
  /**
   * How each instance preloads its secrets: `'batch'` is `preload(names)` on a source with
   * `loadMany` (BatchGetSecretValue, 20 per call, 5 calls at once); `'single'` is
   * `preload(names, { concurrency, ratePerSecond })` (one GetSecretValue per name, paced).
   */
  preload: { mode: 'batch' | 'single'; concurrency: number; ratePerSecond: number }
  ttl: number
  refreshAhead: number
  jitter: number
  retries: number
  baseDelay: number
  maxDelay: number
  minRefreshInterval: number
  maxStale: number
  /** The source's DescribeSecret version check on reloads of held values. */
  versionCheck: boolean
  /** Backend latency of every call. */
  latencyMs: number
  /** Steady state simulated after the deploy settles, before the rotation. */
  steadyMs: number
  /** Rotation push through SQS (`watchSecretsManagerEvents`). */
  push: boolean
  /** Event delivery delay (CloudTrail → EventBridge → SQS → long poll), uniform in [min, max] per instance. */
  deliveryMs: [number, number]
  /** The watcher's `spread`: each refresh waits a uniform random time in [0, spread). */
  spreadMs: number
  seed: number
  /** Quotas other than AWS's (the cross-check scales them to a small fleet). @default QUOTAS */
  quotas?: Partial<Record<Api, number>>
}

export const DEFAULTS: FleetConfig = {
  instances: 10_000,
  secrets: 100,
  deployWindowMs: 60_000,
  preload: { mode: 'single', concurrency: 4, ratePerSecond: 0.8 },
  ttl: 300_000,
  refreshAhead: 0.8,
  jitter: 0.1,
  retries: 3,
  baseDelay: 100,
  maxDelay: 2_000,
  minRefreshInterval: 1_000,
  maxStale: 3_600_000,
  versionCheck: true,
  latencyMs: 20,
  steadyMs: 2 * 3_600_000,
  push: true,
  deliveryMs: [500, 2_000],
  spreadMs: 2_000,
  seed: 1,
}

/** Per-API figures over one phase: demand (accepted + throttled requests) per second against the quota. */
export interface ApiFigures {
  peak: number
  p99: number
  throttled: number
  total: number
}

export interface FleetResult {
  config: FleetConfig
  deploy: {
    calls: Record<Api, ApiFigures>
    /** Names whose preload failed after every retry (the instance fails to start). */
    failedReads: number
    failedInstances: number
    /** Time from an instance's start until its preload resolved: p50, p99, max (ms). */
    ready: { p50: number; p99: number; max: number }
    endMs: number
  }
  steady: {
    calls: Record<Api, ApiFigures>
    /** GetSecretValue + DescribeSecret per second (the older reading of the quotas page: one combined 10,000/s). */
    combined: { peak: number; p99: number }
    failedReads: number
    staleEntries: number
    fromMs: number
    toMs: number
  }
  rotation: {
    calls: Record<Api, ApiFigures>
    /** Time from the stage move until an instance holds the new value (ms). */
    hold: { p50: number; p99: number; max: number; within5s: number; within30s: number; never: number }
    /** Forced refreshes that found a load of the name already in flight (they share it, as core's refresh does). */
    sharedFlights: number
  }
  events: number
  wallMs: number
}

function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

const TICK = 10
const RING_BITS = 17 // 2^17 ticks of 10 ms = 1,310 s: longer than any delay scheduled
const RING = 1 << RING_BITS
const MASK = RING - 1

// event kinds (code = entry * 64 + kind * 4 + attempt)
const K_REFRESH = 0 // refresh-ahead timer of a pinned entry, or a background retry
const K_FORCED = 1 // provider.refresh() from the watcher
const K_FETCH_BG = 2 // GetSecretValue after a DescribeSecret that showed a change (background load)
const K_FETCH_FORCED = 3 // same, forced load
const K_COLD = 4 // preload's single load of a name
const K_BATCH = 5 // preload's loadMany (entry = instance's first entry)
const K_PACE = 6 // preload pacing: start the next name
const K_DELIVER = 7 // a rotation event reaches the watcher of an instance
const K_ISSUE = 8 // the watcher calls provider.refresh(name)

export function simulateFleet(overrides: Partial<FleetConfig> = {}): FleetResult {
  const started = performance.now()
  const cfg: FleetConfig = { ...DEFAULTS, ...overrides }
  const { instances: N, secrets: M, ttl, latencyMs: L } = cfg
  const E = N * M
  const random = prng(cfg.seed)
  const quota: Record<Api, number> = { ...QUOTAS, ...cfg.quotas }
  const ring: number[][] = Array.from({ length: RING }, () => [])
  let events = 0

  const held = new Uint8Array(E) // version held; 0 = none
  const refreshTick = new Int32Array(E).fill(-1) // the tick of the live refresh timer
  const busyUntil = new Float64Array(E) // a load is in flight until then
  const expiresAt = new Float64Array(E)
  const lastForced = new Float64Array(E).fill(Number.NEGATIVE_INFINITY)
  const bgFailures = new Uint8Array(E)
  const wWaiting = new Uint8Array(E) // watcher: a refresh is scheduled and not yet issued
  const wLast = new Float64Array(E).fill(Number.NEGATIVE_INFINITY) // watcher: when it last issued one
  const secretVersion = new Uint8Array(M).fill(1)

  const start = new Float64Array(N)
  const loadedCount = new Uint16Array(N)
  const coldInFlight = new Uint16Array(N)
  const readyAt = new Float64Array(N).fill(Number.NaN)
  const failedInstance = new Uint8Array(N)
  let unsettled = N // instances whose preload has neither resolved nor failed
  const gotNewAt = new Float64Array(N).fill(Number.NaN)
  let failedReads = 0
  let steadyFailedReads = 0
  let staleEntries = 0
  let sharedFlights = 0

  const rotatedSecret = 0
  let rotationAt = Number.POSITIVE_INFINITY
  let newVersion = 0

  const steadyFrom = Math.ceil(cfg.deployWindowMs + (M / cfg.preload.ratePerSecond) * 1_000 + ttl * 2)
  const rotateAt = steadyFrom + cfg.steadyMs
  const endAt = rotateAt + 2 * ttl
  const seconds = Math.ceil(endAt / 1_000) + 120
  const ok: Record<Api, Int32Array> = {
    GetSecretValue: new Int32Array(seconds),
    DescribeSecret: new Int32Array(seconds),
    BatchGetSecretValue: new Int32Array(seconds),
  }
  const thr: Record<Api, Int32Array> = {
    GetSecretValue: new Int32Array(seconds),
    DescribeSecret: new Int32Array(seconds),
    BatchGetSecretValue: new Int32Array(seconds),
  }

  let now = 0
  let tick = 0
  const schedule = (at: number, code: number): number => {
    const t = Math.max(tick, Math.ceil(at / TICK))
    if (t - tick >= RING) throw new Error('fleet simulator: delay beyond the ring')
    ;(ring[t & MASK] as number[]).push(code)
    return t
  }
  /** One request: true when accepted, false when throttled (1-second windows). */
  const call = (api: Api, at: number): boolean => {
    const s = Math.floor(at / 1_000)
    if ((ok[api][s] as number) < quota[api]) {
      ok[api][s] = (ok[api][s] as number) + 1
      return true
    }
    thr[api][s] = (thr[api][s] as number) + 1
    return false
  }
  const backoff = (attempt: number): number =>
    Math.floor(random() * Math.min(cfg.maxDelay, cfg.baseDelay * 2 ** attempt))

  /** `#accept` + `#setTimes` + `#schedule` of core, at time `at`. */
  const accept = (e: number, version: number, at: number): void => {
    held[e] = version
    expiresAt[e] = at + ttl
    bgFailures[e] = 0
    busyUntil[e] = at
    const refreshAt =
      cfg.refreshAhead > 0 ? at + Math.max(0, ttl * cfg.refreshAhead - ttl * cfg.jitter * random()) : at + ttl
    refreshTick[e] = schedule(refreshAt, e * 64 + K_REFRESH * 4)
    const s = e % M
    if (s === rotatedSecret && version === newVersion && at >= rotationAt) {
      const i = (e - s) / M
      if (Number.isNaN(gotNewAt[i] as number)) gotNewAt[i] = at
    }
  }
  /** A cold load's end: counts towards the instance's preload. */
  const coldDone = (e: number, at: number, good: boolean): void => {
    const i = Math.floor(e / M)
    coldInFlight[i] = (coldInFlight[i] as number) - 1
    if (!good) {
      failedReads++
      if (failedInstance[i] === 0) unsettled--
      failedInstance[i] = 1
    } else {
      loadedCount[i] = (loadedCount[i] as number) + 1
      if (loadedCount[i] === M && failedInstance[i] === 0) {
        readyAt[i] = at
        unsettled--
      }
    }
  }
  /** A reload that used up its retries: forced ones reject to the watcher; background ones back off (`#backgroundFailed`). */
  const reloadFailed = (e: number, at: number, forced: boolean): void => {
    busyUntil[e] = at
    const expiry = expiresAt[e] as number
    if (at >= expiry && at - L < expiry) staleEntries++
    if (at >= expiry + cfg.maxStale) steadyFailedReads++
    if (forced) {
      // core leaves the timer as it was; when it already fired during this flight, the next read
      // past refreshAt reloads in the background: modelled as a reload after minRefreshInterval
      if (refreshTick[e] === -1)
        refreshTick[e] = schedule(at + cfg.minRefreshInterval, e * 64 + K_REFRESH * 4)
      return
    }
    bgFailures[e] = Math.min((bgFailures[e] as number) + 1, 30)
    const delay = Math.max(
      cfg.minRefreshInterval,
      Math.floor(random() * Math.min(Math.min(30_000, ttl), cfg.baseDelay * 2 ** (bgFailures[e] as number))),
    )
    refreshTick[e] = schedule(at + delay, e * 64 + K_REFRESH * 4)
  }
  /** A failed attempt of a reload: retry with backoff, or give up. */
  const attemptFailed = (e: number, at: number, attempt: number, forced: boolean): void => {
    if (attempt < cfg.retries) {
      busyUntil[e] = at + cfg.maxDelay + 10 * L
      schedule(at + backoff(attempt), e * 64 + (forced ? K_FORCED : K_REFRESH) * 4 + attempt + 1)
    } else {
      reloadFailed(e, at, forced)
    }
  }
  /** One attempt of `source.load` for a held value: DescribeSecret first (version check), or GetSecretValue. */
  const reload = (e: number, attempt: number, forced: boolean): void => {
    busyUntil[e] = now + 2 * L
    const s = e % M
    if (cfg.versionCheck) {
      if (!call('DescribeSecret', now)) attemptFailed(e, now + L, attempt, forced)
      else if (secretVersion[s] === held[e]) accept(e, held[e] as number, now + L)
      else schedule(now + L, e * 64 + (forced ? K_FETCH_FORCED : K_FETCH_BG) * 4 + attempt)
      return
    }
    fetch(e, attempt, forced)
  }
  const fetch = (e: number, attempt: number, forced: boolean): void => {
    if (!call('GetSecretValue', now)) attemptFailed(e, now + L, attempt, forced)
    else accept(e, secretVersion[e % M] as number, now + L)
  }
  const cold = (e: number, attempt: number): void => {
    if (call('GetSecretValue', now)) {
      accept(e, secretVersion[e % M] as number, now + L)
      coldDone(e, now + L, true)
    } else if (attempt < cfg.retries) {
      schedule(now + L + backoff(attempt), e * 64 + K_COLD * 4 + attempt + 1)
    } else {
      coldDone(e, now + L, false)
    }
  }
  const BATCH = 20
  const batch = (i: number, attempt: number): void => {
    const first = i * M
    const chunks = Math.ceil(M / BATCH)
    let failed = 0
    const failedChunks: number[] = []
    for (let c = 0; c < chunks; c++) {
      if (call('BatchGetSecretValue', now)) {
        for (let s = c * BATCH; s < Math.min(M, (c + 1) * BATCH); s++) {
          coldInFlight[i] = (coldInFlight[i] as number) + 1
          accept(first + s, secretVersion[s] as number, now + L)
          coldDone(first + s, now + L, true)
        }
      } else {
        failed++
        failedChunks.push(c)
      }
    }
    if (failed === chunks && attempt < cfg.retries) {
      // every call failed: loadMany threw, and core retries it whole
      schedule(now + L + backoff(attempt), first * 64 + K_BATCH * 4 + attempt + 1)
      return
    }
    // names a failed chunk left out: single loads, each with its own retries
    for (const c of failedChunks) {
      for (let s = c * BATCH; s < Math.min(M, (c + 1) * BATCH); s++) {
        coldInFlight[i] = (coldInFlight[i] as number) + 1
        schedule(now + L, (first + s) * 64 + K_COLD * 4)
      }
    }
  }
  const pace = (e: number): void => {
    const i = Math.floor(e / M)
    if ((coldInFlight[i] as number) >= cfg.preload.concurrency) {
      schedule(now + TICK, e * 64 + K_PACE * 4)
      return
    }
    coldInFlight[i] = (coldInFlight[i] as number) + 1
    cold(e, 0)
    const s = e % M
    if (s + 1 < M) {
      const gap = Number.isFinite(cfg.preload.ratePerSecond) ? 1_000 / cfg.preload.ratePerSecond : 0
      schedule(now + gap, (e + 1) * 64 + K_PACE * 4)
    }
  }
  /** The watcher: one refresh per event, after a random spread, never two within minRefreshInterval of each other. */
  const deliver = (e: number): void => {
    if (wWaiting[e] === 1) return // a refresh is already waiting: it starts after this event arrived
    wWaiting[e] = 1
    const at = Math.max(now + random() * cfg.spreadMs, (wLast[e] as number) + cfg.minRefreshInterval)
    schedule(at, e * 64 + K_ISSUE * 4)
  }
  /** `provider.refresh(name)`: shares a flight in progress, else at most once per minRefreshInterval. */
  const forced = (e: number): void => {
    wWaiting[e] = 0
    wLast[e] = now
    if ((busyUntil[e] as number) > now) {
      sharedFlights++
      return
    }
    if (now - (lastForced[e] as number) < cfg.minRefreshInterval) return
    lastForced[e] = now
    reload(e, 0, true)
  }

  // deploy
  for (let i = 0; i < N; i++) {
    start[i] = random() * cfg.deployWindowMs
    if (cfg.preload.mode === 'batch') schedule(start[i] as number, i * M * 64 + K_BATCH * 4)
    else schedule(start[i] as number, i * M * 64 + K_PACE * 4)
  }

  // the rotation, as a rotation Lambda makes it: createSecret (PutSecretValue, AWSPENDING) 2 s
  // before finishSecret (UpdateSecretVersionStage moves AWSCURRENT), RotationSucceeded 0.5 s after
  const rotationEvents = [rotateAt - 2_000, rotateAt, rotateAt + 500]
  let nextEvent = 0
  let deployEnd = 0

  const endTick = Math.ceil(endAt / TICK)
  for (tick = 0; tick <= endTick; tick++) {
    now = tick * TICK
    if (now >= rotateAt && rotationAt === Number.POSITIVE_INFINITY) {
      rotationAt = now
      newVersion = (secretVersion[rotatedSecret] as number) + 1
      secretVersion[rotatedSecret] = newVersion
    }
    while (nextEvent < rotationEvents.length && now >= (rotationEvents[nextEvent] as number)) {
      nextEvent++
      if (cfg.push) {
        const [lo, hi] = cfg.deliveryMs
        for (let i = 0; i < N; i++) {
          schedule(now + lo + random() * (hi - lo), (i * M + rotatedSecret) * 64 + K_DELIVER * 4)
        }
      }
    }
    const bucket = ring[tick & MASK] as number[]
    if (bucket.length === 0) continue
    // events scheduled for this very tick while it runs are appended to this bucket and run too
    for (let k = 0; k < bucket.length; k++) {
      const code = bucket[k] as number
      events++
      const e = Math.floor(code / 64)
      const kind = (code >> 2) & 15
      const attempt = code & 3
      switch (kind) {
        case K_REFRESH:
          if (attempt === 0) {
            if (refreshTick[e] !== tick) break // superseded by a later schedule
            refreshTick[e] = -1
            if ((busyUntil[e] as number) > now) break // core: a timer that finds a load in flight does nothing
          }
          reload(e, attempt, false)
          break
        case K_FORCED:
          reload(e, attempt, true)
          break
        case K_ISSUE:
          forced(e)
          break
        case K_FETCH_BG:
          fetch(e, attempt, false)
          break
        case K_FETCH_FORCED:
          fetch(e, attempt, true)
          break
        case K_COLD:
          cold(e, attempt)
          break
        case K_BATCH:
          batch(e / M, attempt)
          break
        case K_PACE:
          pace(e)
          break
        case K_DELIVER:
          deliver(e)
          break
      }
    }
    ring[tick & MASK] = []
    if (deployEnd === 0 && unsettled === 0) deployEnd = now + TICK
  }
  if (deployEnd === 0) deployEnd = steadyFrom

  const figures = (fromMs: number, toMs: number): Record<Api, ApiFigures> => {
    const a = Math.floor(fromMs / 1_000)
    const b = Math.max(a, Math.min(seconds, Math.ceil(toMs / 1_000)))
    const out = {} as Record<Api, ApiFigures>
    for (const api of APIS) {
      const demand = new Float64Array(b - a)
      let throttled = 0
      let total = 0
      for (let s = a; s < b; s++) {
        const d = (ok[api][s] as number) + (thr[api][s] as number)
        demand[s - a] = d
        throttled += thr[api][s] as number
        total += d
      }
      demand.sort()
      out[api] = { peak: demand[demand.length - 1] ?? 0, p99: quantile(demand, 0.99), throttled, total }
    }
    return out
  }
  const combined = (fromMs: number, toMs: number) => {
    const a = Math.floor(fromMs / 1_000)
    const b = Math.max(a, Math.min(seconds, Math.ceil(toMs / 1_000)))
    const sums = new Float64Array(b - a)
    for (let s = a; s < b; s++) {
      sums[s - a] =
        (ok.GetSecretValue[s] as number) +
        (thr.GetSecretValue[s] as number) +
        (ok.DescribeSecret[s] as number) +
        (thr.DescribeSecret[s] as number)
    }
    sums.sort()
    return { peak: sums[sums.length - 1] ?? 0, p99: quantile(sums, 0.99) }
  }

  const readiness: number[] = []
  let failedInstances = 0
  for (let i = 0; i < N; i++) {
    if (failedInstance[i] === 1) failedInstances++
    else if (!Number.isNaN(readyAt[i] as number))
      readiness.push((readyAt[i] as number) - (start[i] as number))
  }
  readiness.sort((x, y) => x - y)
  const holds: number[] = []
  let never = 0
  for (let i = 0; i < N; i++) {
    if (Number.isNaN(gotNewAt[i] as number)) never++
    else holds.push((gotNewAt[i] as number) - rotationAt)
  }
  holds.sort((x, y) => x - y)
  const within = (ms: number) => holds.filter((h) => h <= ms).length / N

  return {
    config: cfg,
    deploy: {
      calls: figures(0, deployEnd),
      failedReads,
      failedInstances,
      ready: {
        p50: quantile(readiness, 0.5),
        p99: quantile(readiness, 0.99),
        max: readiness.at(-1) ?? Number.NaN,
      },
      endMs: deployEnd,
    },
    steady: {
      calls: figures(steadyFrom, rotateAt - 2_000),
      combined: combined(steadyFrom, rotateAt - 2_000),
      failedReads: steadyFailedReads,
      staleEntries,
      fromMs: steadyFrom,
      toMs: rotateAt - 2_000,
    },
    rotation: {
      calls: figures(rotateAt - 2_000, endAt),
      hold: {
        p50: quantile(holds, 0.5),
        p99: quantile(holds, 0.99),
        max: holds.at(-1) ?? Number.NaN,
        within5s: within(5_000),
        within30s: within(30_000),
        never,
      },
      sharedFlights,
    },
    events,
    wallMs: performance.now() - started,
  }
}

const s = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1_000).toFixed(1)} s`)
const n = (x: number) => Math.round(x).toLocaleString('en-US')
const pct = (x: number) => `${(x * 100).toFixed(1)} %`

/** The table the simulator prints: one line per phase and API, then the targets. */
export function fleetTable(results: Array<{ label: string; result: FleetResult }>): string[] {
  const lines: string[] = []
  lines.push('| run | phase | API | peak/s | p99/s | quota/s | throttled |')
  lines.push('|---|---|---|---:|---:|---:|---:|')
  for (const { label, result } of results) {
    const phases: Array<[string, Record<Api, ApiFigures>]> = [
      ['deploy', result.deploy.calls],
      ['steady', result.steady.calls],
      ['rotation', result.rotation.calls],
    ]
    for (const [phase, calls] of phases) {
      for (const api of APIS) {
        const f = calls[api]
        if (f.total === 0) continue
        lines.push(
          `| ${label} | ${phase} | ${api} | ${n(f.peak)} | ${n(f.p99)} | ${n(QUOTAS[api])} | ${n(f.throttled)} |`,
        )
      }
      if (phase === 'steady' && calls.DescribeSecret.total > 0) {
        const c = result.steady.combined
        lines.push(
          `| ${label} | steady | GetSecretValue + DescribeSecret (if one combined quota) | ${n(c.peak)} | ${n(c.p99)} | 10,000 | — |`,
        )
      }
    }
  }
  lines.push('')
  lines.push(
    '| run | failed reads (deploy / steady) | instances failing preload | preload time p50 / p99 / max | stale entries | rotation: p50 / p99 / max to new value | ≤ 5 s | ≤ 30 s |',
  )
  lines.push('|---|---:|---:|---|---:|---|---:|---:|')
  for (const { label, result } of results) {
    const { deploy, steady, rotation } = result
    lines.push(
      `| ${label} | ${n(deploy.failedReads)} / ${n(steady.failedReads)} | ${n(deploy.failedInstances)} | ${s(deploy.ready.p50)} / ${s(deploy.ready.p99)} / ${s(deploy.ready.max)} | ${n(steady.staleEntries)} | ${s(rotation.hold.p50)} / ${s(rotation.hold.p99)} / ${s(rotation.hold.max)} | ${pct(rotation.hold.within5s)} | ${pct(rotation.hold.within30s)} |`,
    )
  }
  return lines
}

function describeRun(cfg: FleetConfig): string {
  const p = cfg.preload
  const preload =
    p.mode === 'batch'
      ? 'preload(names) via BatchGetSecretValue'
      : `preload(names, { concurrency: ${p.concurrency}, ratePerSecond: ${p.ratePerSecond} })`
  return `${preload}; versionCheck ${cfg.versionCheck ? 'on' : 'off'}; push ${cfg.push ? `on (delivery ${cfg.deliveryMs[0]}–${cfg.deliveryMs[1]} ms, spread ${cfg.spreadMs} ms)` : 'off'}`
}

/** The runs `pnpm bench fleet` makes, and the rows it checks against the targets in DESIGN.md. */
export async function runFleetBench(overrides: Partial<FleetConfig> = {}): Promise<{ rows: Row[] }> {
  const base = { ...DEFAULTS, ...overrides }
  const runs: Array<{ label: string; cfg: Partial<FleetConfig> }> = [
    { label: 'A', cfg: { ...base } },
    { label: 'B', cfg: { ...base, push: false } },
    { label: 'C', cfg: { ...base, versionCheck: false, push: false } },
    {
      label: 'D',
      cfg: {
        ...base,
        preload: { mode: 'batch', concurrency: 5, ratePerSecond: Number.POSITIVE_INFINITY },
        steadyMs: 0,
        push: false,
      },
    },
    {
      label: 'E',
      cfg: {
        ...base,
        preload: { mode: 'single', concurrency: 100, ratePerSecond: Number.POSITIVE_INFINITY },
        steadyMs: 0,
        push: false,
      },
    },
  ]
  const results: Array<{ label: string; result: FleetResult }> = []
  for (const run of runs) {
    const result = simulateFleet(run.cfg)
    results.push({ label: run.label, result })
  }
  console.log(
    `\nfleet: ${n(base.instances)} instances × ${n(base.secrets)} secrets, deploy over ${s(base.deployWindowMs)}, steady ${s(base.steadyMs)}, TTL ${s(base.ttl)}, latency ${base.latencyMs} ms, seed ${base.seed}`,
  )
  for (const { label, result } of results) {
    console.log(
      `  ${label}: ${describeRun(result.config)} — ${n(result.events)} events in ${s(result.wallMs)}`,
    )
  }
  for (const line of fleetTable(results)) console.log(`  ${line}`)

  const { crossCheck } = await import('./fleet-check.js')
  const check = await crossCheck({ simulateFleet, QUOTAS }, 1_000, 20)
  console.log(
    '\n  model vs the real CachedSecretProvider (1,000 instances × 20 secrets in virtual time, scaled quotas, no push):',
  )
  console.log('  | figure | real core | model |')
  console.log('  |---|---:|---:|')
  const both = (label: string, real: number, model: number, digits = 0, unit = '') =>
    console.log(`  | ${label} | ${real.toFixed(digits)}${unit} | ${model.toFixed(digits)}${unit} |`)
  both('GetSecretValue during the deploy', check.real.deployGetSecretValue, check.model.deployGetSecretValue)
  both(
    'DescribeSecret/s, steady mean',
    check.real.steadyDescribePerSecond,
    check.model.steadyDescribePerSecond,
    2,
  )
  both('DescribeSecret/s, steady peak', check.real.steadyDescribePeak, check.model.steadyDescribePeak)
  both(
    'rotation: p50 to new value',
    check.real.rotationHoldP50 / 1_000,
    check.model.rotationHoldP50 / 1_000,
    1,
    ' s',
  )
  both(
    'rotation: max to new value',
    check.real.rotationHoldMax / 1_000,
    check.model.rotationHoldMax / 1_000,
    1,
    ' s',
  )
  both('failed reads', check.real.failedReads, check.model.failedReads)
  const within = (x: number, y: number, tolerance: number) => Math.abs(x - y) <= tolerance * Math.max(x, y)

  const a = results[0]?.result as FleetResult
  const b = results[1]?.result as FleetResult
  const under = (calls: Record<Api, ApiFigures>) =>
    APIS.every((api) => calls[api].peak <= QUOTAS[api] && calls[api].throttled === 0)
  const rows: Row[] = [
    {
      name: `fleet steady state (A): no failed read, every API under quota`,
      value: `failed ${a.steady.failedReads}, peak GetSecretValue ${n(a.steady.calls.GetSecretValue.peak)}/s, DescribeSecret ${n(a.steady.calls.DescribeSecret.peak)}/s, throttled ${a.steady.calls.GetSecretValue.throttled + a.steady.calls.DescribeSecret.throttled}`,
      target: '0 failed, under every quota',
      pass: a.steady.failedReads === 0 && under(a.steady.calls),
    },
    {
      name: `fleet deploy over ${s(base.deployWindowMs)} (A, paced preload): under every quota`,
      value: `peak GetSecretValue ${n(a.deploy.calls.GetSecretValue.peak)}/s, throttled ${a.deploy.calls.GetSecretValue.throttled}, failed reads ${a.deploy.failedReads}, preload p99 ${s(a.deploy.ready.p99)}`,
      target: 'under every quota, 0 failed',
      pass: under(a.deploy.calls) && a.deploy.failedReads === 0,
    },
    {
      name: 'fleet rotation with push (A): hold the new value',
      value: `${pct(a.rotation.hold.within5s)} within 5 s, ${pct(a.rotation.hold.within30s)} within 30 s, max ${s(a.rotation.hold.max)}`,
      target: '≥ 99 % within 5 s, 100 % within 30 s',
      pass: a.rotation.hold.within5s >= 0.99 && a.rotation.hold.within30s === 1,
    },
    {
      name: 'fleet rotation without push (B): hold the new value',
      value: `p99 ${s(b.rotation.hold.p99)}, max ${s(b.rotation.hold.max)}`,
      target: 'informational (bounded by refresh-ahead, 0.8 × TTL)',
      pass: b.rotation.hold.never === 0,
    },
    {
      name: 'fleet model vs real CachedSecretProvider (1,000 × 20)',
      value: `steady DescribeSecret/s ${check.model.steadyDescribePerSecond.toFixed(2)} vs ${check.real.steadyDescribePerSecond.toFixed(2)} (${(check.model.steadyDescribePerSecond / check.real.steadyDescribePerSecond).toFixed(3)}×), rotation max ${s(check.model.rotationHoldMax)} vs ${s(check.real.rotationHoldMax)}`,
      target: 'model within 5 % (rate) and 10 % (rotation max) of the real core',
      pass:
        within(check.model.steadyDescribePerSecond, check.real.steadyDescribePerSecond, 0.05) &&
        within(check.model.rotationHoldMax, check.real.rotationHoldMax, 0.1) &&
        check.model.deployGetSecretValue === check.real.deployGetSecretValue &&
        check.real.failedReads === 0,
    },
  ]
  return { rows }
}

function argument(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`)
  return i === -1 ? undefined : Number(process.argv[i + 1])
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const overrides: Partial<FleetConfig> = {}
  const instances = argument('instances')
  const secrets = argument('secrets')
  const window = argument('window')
  const hours = argument('hours')
  if (instances !== undefined) overrides.instances = instances
  if (secrets !== undefined) overrides.secrets = secrets
  if (window !== undefined) overrides.deployWindowMs = window * 1_000
  if (hours !== undefined) overrides.steadyMs = hours * 3_600_000
  const { printRows } = await import('./measure.js')
  const { rows } = await runFleetBench(overrides)
  printRows('fleet', rows)
}
