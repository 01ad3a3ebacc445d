/**
 * Checks the fleet simulator's model of the cache policy against the real `CachedSecretProvider`:
 * a small fleet of real providers (core's code: preload pacing, refresh-ahead timers with jitter,
 * retries, version-checked reloads) runs in virtual time — `setTimeout` is replaced by a
 * virtual-time scheduler for the run, the providers get `clock` and a seeded `random` — against a
 * backend with the same quota rule as the model (quotas scaled to the fleet size). The same
 * scenario then runs through `simulateFleet`, and the figures are compared.
 *
 * The source here mirrors `AwsSecretsManagerSource`'s request pattern (DescribeSecret first on a
 * reload of a held value, GetSecretValue when the version moved) without HTTP.
 */
import {
  CachedSecretProvider,
  type LoadContext,
  type LoadedSecret,
  SecretThrottledError,
} from '@latchkey/core'
import type { FleetConfig, FleetResult } from './fleet.bench.js'
import { prng } from './measure.js'

/** The simulator and its quotas, passed in (fleet.bench.ts imports this module: no cycle). */
export interface Simulator {
  simulateFleet(overrides: Partial<FleetConfig>): FleetResult
  QUOTAS: { GetSecretValue: number; DescribeSecret: number; BatchGetSecretValue: number }
}

interface Timer {
  at: number
  seq: number
  fn: () => void
  cancelled: boolean
}

/** A binary heap of timers ordered by (at, seq). */
class TimerHeap {
  readonly items: Timer[] = []
  push(t: Timer): void {
    const a = this.items
    a.push(t)
    let i = a.length - 1
    while (i > 0) {
      const p = (i - 1) >> 1
      if (less(a[p] as Timer, t)) break
      a[i] = a[p] as Timer
      i = p
    }
    a[i] = t
  }
  pop(): Timer | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last !== undefined) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        let best = last
        if (l < a.length && less(a[l] as Timer, best)) {
          m = l
          best = a[l] as Timer
        }
        if (r < a.length && less(a[r] as Timer, best)) m = r
        if (m === i) break
        a[i] = a[m] as Timer
        i = m
      }
      a[i] = last
    }
    return top
  }
}
const less = (x: Timer, y: Timer) => x.at < y.at || (x.at === y.at && x.seq < y.seq)

export interface CrossCheck {
  real: Figures
  model: Figures
}

interface Figures {
  deployGetSecretValue: number
  steadyDescribePerSecond: number
  steadyDescribePeak: number
  rotationHoldP50: number
  rotationHoldMax: number
  failedReads: number
}

/** Runs `instances` real providers × `secrets` names through deploy, steady state and a rotation (no push). */
export async function crossCheck(
  { simulateFleet, QUOTAS }: Simulator,
  instances = 200,
  secrets = 20,
  steadyMs = 30 * 60_000,
): Promise<CrossCheck> {
  const scale = instances / 10_000
  const quotas = {
    GetSecretValue: Math.max(1, Math.round(QUOTAS.GetSecretValue * scale)),
    DescribeSecret: Math.max(1, Math.round(QUOTAS.DescribeSecret * scale)),
    BatchGetSecretValue: Math.max(1, Math.round(QUOTAS.BatchGetSecretValue * scale)),
  }
  const deployWindowMs = 60_000
  const ttl = 300_000
  const ratePerSecond = 0.8
  const model = simulateFleet({
    instances,
    secrets,
    deployWindowMs,
    steadyMs,
    push: false,
    quotas,
    preload: { mode: 'single', concurrency: 4, ratePerSecond },
    seed: 7,
  })

  // virtual time
  const realSetTimeout = globalThis.setTimeout
  const realClearTimeout = globalThis.clearTimeout
  const realSetImmediate = globalThis.setImmediate
  const heap = new TimerHeap()
  let now = 0
  let seq = 0
  const fakeSetTimeout = (fn: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const timer: Timer & Record<string, unknown> = {
      at: now + Math.max(0, Number(ms) || 0),
      seq: seq++,
      fn: () => fn(...args),
      cancelled: false,
    }
    timer.unref = () => timer
    timer.ref = () => timer
    timer.hasRef = () => false
    heap.push(timer)
    return timer
  }
  const fakeClearTimeout = (timer: unknown) => {
    if (timer !== undefined && timer !== null && typeof timer === 'object') (timer as Timer).cancelled = true
  }
  const drain = () => new Promise<void>((resolve) => realSetImmediate(resolve))

  const seconds =
    Math.ceil((deployWindowMs + (secrets / ratePerSecond) * 1_000 + 4 * ttl + steadyMs) / 1_000) + 60
  const describe = new Int32Array(seconds)
  const get = new Int32Array(seconds)
  const version = new Int32Array(secrets).fill(1)
  let failedReads = 0
  const call = (counts: Int32Array, quota: number): boolean => {
    const s = Math.floor(now / 1_000)
    if ((counts[s] as number) >= quota) return false
    counts[s] = (counts[s] as number) + 1
    return true
  }
  const sleep = (ms: number) => new Promise<void>((resolve) => fakeSetTimeout(() => resolve(), ms))
  const source = (index: (name: string) => number) => ({
    name: 'fleet-check',
    async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
      const s = index(name)
      if (ctx.current !== undefined) {
        const ok = call(describe, quotas.DescribeSecret)
        await sleep(20)
        if (!ok) throw new SecretThrottledError({ secretName: name })
        if (ctx.current.version === `v${version[s]}`)
          return { value: ctx.current.value, version: ctx.current.version }
      }
      const ok = call(get, quotas.GetSecretValue)
      await sleep(20)
      if (!ok) throw new SecretThrottledError({ secretName: name })
      return { value: `value-${s}-${version[s]}-padding`, version: `v${version[s]}` }
    },
  })

  globalThis.setTimeout = fakeSetTimeout as unknown as typeof setTimeout
  globalThis.clearTimeout = fakeClearTimeout as unknown as typeof clearTimeout
  const providers: CachedSecretProvider[] = []
  const names = Array.from({ length: secrets }, (_, i) => `fleet/s${i}`)
  const index = (name: string) => Number(name.slice(7))
  const random = prng(11)
  const holds: number[] = []
  let rotationAt = Number.POSITIVE_INFINITY
  try {
    for (let i = 0; i < instances; i++) {
      fakeSetTimeout(() => {
        const provider = new CachedSecretProvider(source(index), {
          clock: () => now,
          random: prng(1_000 + i),
          logger: { warn: () => undefined },
        })
        providers.push(provider)
        provider.on('rotate', ({ name }) => {
          if (name === 'fleet/s0' && now >= rotationAt) holds.push(now - rotationAt)
        })
        provider.preload(names, { concurrency: 4, ratePerSecond }).catch(() => {
          failedReads++
        })
      }, random() * deployWindowMs)
    }
    const steadyFrom = Math.ceil(deployWindowMs + (secrets / ratePerSecond) * 1_000 + ttl * 2)
    const rotateAt = steadyFrom + steadyMs
    fakeSetTimeout(() => {
      rotationAt = now
      version[0] = (version[0] as number) + 1
    }, rotateAt)
    const endAt = rotateAt + 2 * ttl
    for (;;) {
      const timer = heap.pop()
      if (timer === undefined || timer.at > endAt) break
      if (timer.cancelled) continue
      now = timer.at
      timer.fn()
      await drain()
    }
    const sum = (a: Int32Array, from: number, to: number) => {
      let total = 0
      let peak = 0
      for (let s = Math.floor(from / 1_000); s < Math.floor(to / 1_000); s++) {
        total += a[s] as number
        peak = Math.max(peak, a[s] as number)
      }
      return { total, peak }
    }
    holds.sort((x, y) => x - y)
    const steady = sum(describe, steadyFrom, rotateAt - 2_000)
    const real: Figures = {
      deployGetSecretValue: sum(get, 0, steadyFrom).total,
      steadyDescribePerSecond: steady.total / ((rotateAt - 2_000 - steadyFrom) / 1_000),
      steadyDescribePeak: steady.peak,
      rotationHoldP50: holds[Math.floor(holds.length / 2)] ?? Number.NaN,
      rotationHoldMax: holds.at(-1) ?? Number.NaN,
      failedReads,
    }
    return { real, model: figuresOf(model) }
  } finally {
    for (const provider of providers) provider.close().catch(() => undefined)
    globalThis.setTimeout = realSetTimeout
    globalThis.clearTimeout = realClearTimeout
  }
}

function figuresOf(result: FleetResult): Figures {
  const steadySeconds = (result.steady.toMs - result.steady.fromMs) / 1_000
  return {
    deployGetSecretValue: result.deploy.calls.GetSecretValue.total,
    steadyDescribePerSecond: result.steady.calls.DescribeSecret.total / steadySeconds,
    steadyDescribePeak: result.steady.calls.DescribeSecret.peak,
    rotationHoldP50: result.rotation.hold.p50,
    rotationHoldMax: result.rotation.hold.max,
    failedReads: result.deploy.failedReads + result.steady.failedReads,
  }
}
