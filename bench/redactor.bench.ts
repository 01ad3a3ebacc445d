/**
 * The redactor's registry at scale, against lru-cache 11 filled with the same values in the same
 * process (rounds alternate): registering 100,000 values, how long single calls take (how long
 * the event loop is blocked by index maintenance; the longest call also holds GC and scheduling
 * pauses, so lru-cache's longest `set` in the same run is printed beside it), retiring and
 * forgetting them, and memory; and the per-line cost of a clean line from 10 to 1,000,000
 * registered values, measured in interleaved rounds, and release/prune at that scale
 * (REDACTOR_BENCH_MILLION=0 leaves the 1,000,000 row out: it takes ~1 GB). Longest calls are
 * given in wall time (what the event loop sees: GC and a loaded machine's scheduling included)
 * and in CPU time.
 *
 *   cd bench && npx tsx redactor.bench.ts
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { SecretRedactor } from '@latchkey/core'
import { createLineScrubber, type LineKeyPolicy } from '@latchkey/core/internal'
import {
  CREDENTIAL_HEADERS,
  CREDENTIAL_KEY_WORDS,
  DEFAULT_REDACT_KEYS,
  isCredentialKey,
} from '@latchkey/pino'
import { LRUCache } from 'lru-cache'
import { fmt, GcPauses, median, nsPerOp, printRows, type Row, SlowCalls } from './measure.js'

const COUNT = 100_000
const ROUNDS = Number(process.env.REDACTOR_BENCH_ROUNDS ?? 5)

/** Secrets as they come: 16–32 characters of base64 (with `+`, `/`, `=`), which have several URL forms. */
function values(count: number): string[] {
  return Array.from({ length: count }, () =>
    randomBytes(32)
      .toString('base64')
      .slice(0, 16 + Math.floor(Math.random() * 17)),
  )
}

interface Fill {
  ms: number
  /** Wall time of each call, ms. */
  calls: Float64Array
}

function fillRedactor(list: string[]): Fill & { redactor: SecretRedactor } {
  const redactor = new SecretRedactor()
  const calls = new Float64Array(list.length)
  const start = performance.now()
  for (let i = 0; i < list.length; i++) {
    const t = performance.now()
    redactor.add(list[i] as string, 'bench')
    calls[i] = performance.now() - t
  }
  return { ms: performance.now() - start, calls, redactor }
}

/** lru-cache `set` timed per call like {@link fillRedactor}: the same machine's pauses (GC, scheduling) show in both. */
function fillLruTimed(list: string[]): Float64Array {
  const cache = new LRUCache<string, string>({ max: list.length })
  const calls = new Float64Array(list.length)
  for (let i = 0; i < list.length; i++) {
    const t = performance.now()
    cache.set(`secret-${i}`, list[i] as string)
    calls[i] = performance.now() - t
  }
  return calls
}

function quantile(calls: Float64Array, q: number): number {
  const sorted = Float64Array.from(calls).sort()
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

/** lru-cache filled the way a secrets cache fills: `fetch` of every name, loads resolving at once. */
async function fillLruFetch(list: string[]): Promise<number> {
  const cache = new LRUCache<string, string>({
    max: list.length,
    ttl: 300_000,
    allowStale: true,
    allowStaleOnFetchRejection: true,
    fetchMethod: async (key) => list[Number(key.slice(7))] as string,
  })
  const start = performance.now()
  await Promise.all(list.map((_, i) => cache.fetch(`secret-${i}`)))
  return performance.now() - start
}

/** lru-cache's cheapest fill: `set` of every value. */
function fillLruSet(list: string[]): number {
  const cache = new LRUCache<string, string>({ max: list.length })
  const start = performance.now()
  for (let i = 0; i < list.length; i++) cache.set(`secret-${i}`, list[i] as string)
  return performance.now() - start
}

/** Heap and typed-array memory (the index's tables are ArrayBuffers, outside the JS heap). */
function heapUsed(): number {
  globalThis.gc?.()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

/** A realistic ~900-character request line with an error and stack: nothing in it is a secret. */
const CLEAN_LINE = `${JSON.stringify({
  level: 30,
  time: 1_764_390_000_000,
  pid: 4242,
  hostname: 'api-7f3a9c',
  reqId: 'req-7f3a9c',
  req: {
    method: 'POST',
    url: '/api/orders?page=2&sort=desc',
    host: 'api.example.com',
    remoteAddress: '10.0.12.7',
  },
  user: { id: 4217, email: 'ada@example.com', role: 'admin' },
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  err: {
    type: 'Error',
    message: 'upstream timeout',
    stack: 'Error: upstream timeout\n    at call (/app/src/client.ts:41:11)\n'.repeat(8),
  },
  msg: 'order failed',
})}\n`

/**
 * The key policy `redactSecrets()` runs (default keys): the credential words, and `"key":` of each
 * credential header and default key that holds none of them (core finds them with its `WordFinder`).
 */
const KEYS: LineKeyPolicy = (() => {
  const exact = [...CREDENTIAL_HEADERS, ...DEFAULT_REDACT_KEYS.map((key) => key.toLowerCase())]
  const watch = [
    ...CREDENTIAL_KEY_WORDS,
    ...[...new Set(exact)]
      .filter((key) => !CREDENTIAL_KEY_WORDS.some((word) => key.includes(word)))
      .map((key) => `${JSON.stringify(key)}:`),
  ]
  return {
    watch,
    isSensitiveKey: (key) => isCredentialKey(key) || exact.includes(key.toLowerCase()),
    censor: '[REDACTED]',
  }
})()

interface Scale {
  count: number
  redactor: SecretRedactor
  bytesPerValue: number
  fillMs: number
  longestAddMs: number
  /** Longest `add` in CPU time (time the process was descheduled does not count). */
  longestAddCpuMs: number
  /** Every `add` over half a millisecond, to tell its own work from a collector pause. */
  slowAdds: SlowCalls
  /** The values, and the redactor's clock (its retention is 1 s). */
  list: string[]
  clock: { now: number }
}

/** CPU time of this thread where Node.js has it (22.x: the process's), µs. */
function cpuMicros(): number {
  const usage =
    (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.() ?? process.cpuUsage()
  return usage.user + usage.system
}

/**
 * `count` values registered, with memory per value (heap and the index's typed arrays), the time
 * to register them and the longest single `add` in wall and CPU time.
 */
function filled(count: number): Scale {
  // the values exist before the first measure: only the redactor's memory is counted
  const all = values(count)
  const clock = { now: 0 }
  const before = heapUsed()
  const redactor = new SecretRedactor({ clock: () => clock.now, retention: 1_000, maxRetired: count })
  let fillMs = 0
  let longestAddMs = 0
  let longestAddCpuMs = 0
  const slowAdds = new SlowCalls()
  for (const value of all) {
    const cpu = cpuMicros()
    const t = performance.now()
    redactor.add(value, 'bench')
    const took = performance.now() - t
    const cpuMs = (cpuMicros() - cpu) / 1000
    slowAdds.record(t, took, cpuMs)
    fillMs += took
    if (took > longestAddMs) longestAddMs = took
    if (cpuMs > longestAddCpuMs) longestAddCpuMs = cpuMs
  }
  const bytesPerValue = (heapUsed() - before) / count
  return { count, redactor, bytesPerValue, fillMs, longestAddMs, longestAddCpuMs, slowAdds, list: all, clock }
}

/** Longest call of `call(i)` for `i < count`, in wall and CPU time, ms, and the slow calls. */
function longestCall(
  count: number,
  call: (i: number) => void,
): { wall: number; cpu: number; slow: SlowCalls } {
  let wall = 0
  let cpu = 0
  const slow = new SlowCalls()
  for (let i = 0; i < count; i++) {
    const c = cpuMicros()
    const t = performance.now()
    call(i)
    const took = performance.now() - t
    const cpuMs = (cpuMicros() - c) / 1000
    slow.record(t, took, cpuMs)
    wall = Math.max(wall, took)
    cpu = Math.max(cpu, cpuMs)
  }
  return { wall, cpu, slow }
}

/** lru-cache `set` of every value into one cache of that size, each call recorded. */
function lruSlowSets(list: string[]): SlowCalls {
  const cache = new LRUCache<string, string>({ max: list.length })
  const slow = new SlowCalls()
  for (let i = 0; i < list.length; i++) {
    const t = performance.now()
    cache.set(`secret-${i}`, list[i] as string)
    slow.record(t, performance.now() - t)
  }
  return slow
}

/**
 * Per-line cost of the log-line scrubber on {@link CLEAN_LINE} at every scale (values alone, and
 * with the key words `redactSecrets` watches). Every redactor is filled first, then the rounds
 * visit every scale in turn, so a ratio compares figures taken minutes apart by no more than one
 * round; each figure is the median of the rounds.
 */
async function scaleRows(): Promise<Row[]> {
  const gc = new GcPauses()
  const counts = [
    10,
    1_000,
    10_000,
    100_000,
    ...(process.env.REDACTOR_BENCH_MILLION === '0' ? [] : [1_000_000]),
  ]
  const scales = counts.map(filled)
  const scrubbers = scales.map(({ redactor }) => ({
    plain: createLineScrubber({ redactors: [redactor] }),
    words: createLineScrubber({ redactors: [redactor], keys: KEYS }),
  }))
  const plain: number[][] = scales.map(() => [])
  const words: number[][] = scales.map(() => [])
  for (let round = 0; round < 9; round++) {
    scrubbers.forEach((scrub, k) => {
      ;(plain[k] as number[]).push(
        median(nsPerOp(() => scrub.plain(CLEAN_LINE.slice(0, 40) + CLEAN_LINE.slice(40)), 5_000, 3)),
      )
      ;(words[k] as number[]).push(
        median(nsPerOp(() => scrub.words(CLEAN_LINE.slice(0, 40) + CLEAN_LINE.slice(40)), 5_000, 3)),
      )
    })
  }
  // per round, each scale's cost over the 1,000 one's: the ratio's median and range
  const ratios = (series: number[][], k: number) =>
    (series[k] as number[]).map((ns, round) => ns / ((series[1] as number[])[round] as number))
  const rows: Row[] = scales.map(({ count, bytesPerValue, fillMs, longestAddMs, longestAddCpuMs }, k) => {
    const ns = median(plain[k] as number[])
    const nsWords = median(words[k] as number[])
    const r = ratios(plain, k)
    const rw = ratios(words, k)
    const range = (list: number[]) => `${fmt(Math.min(...list))}–${fmt(Math.max(...list))}`
    return {
      name: `line scrub with ${count.toLocaleString('en')} values registered (${CLEAN_LINE.length}-char clean line; values alone / with key words)`,
      value: `${fmt(ns, 0)} ns = ${fmt(median(r))}× (${range(r)}) / ${fmt(nsWords, 0)} ns = ${fmt(median(rw))}× (${range(rw)}) of 1,000; ${fmt(bytesPerValue, 0)} bytes/value; filled in ${fmt(fillMs, 0)} ms (longest add ${fmt(longestAddMs, 1)} ms wall, ${fmt(longestAddCpuMs, 1)} ms CPU)`,
      target: count === 1_000_000 ? '≤ 1.5× of 1,000' : 'report',
      pass: count !== 1_000_000 || (median(r) <= 1.5 && median(rw) <= 1.5),
    }
  })
  const largest = scales[scales.length - 1] as Scale
  if (largest.count >= 1_000_000) {
    // every value of the largest registry released, then forgotten by prune in bounded steps
    const { redactor, list, clock } = largest
    const release = longestCall(list.length, (i) => redactor.release(list[i] as string))
    clock.now = 2_000
    let prunes = 0
    const prune = longestCall(list.length, () => {
      if (redactor.size > 0) {
        redactor.prune()
        prunes++
      }
    })
    const left = redactor.size
    // the same machine and heap: lru-cache filled with the million values, one `set` at a time
    const lru = lruSlowSets(list)
    await gc.settle()
    const adds = largest.slowAdds.split(gc)
    const releases = release.slow.split(gc)
    const prunesSplit = prune.slow.split(gc)
    const sets = lru.split(gc)
    rows.push({
      name: `longest release / prune call at ${largest.count.toLocaleString('en')} values (wall; CPU)`,
      value: `${fmt(release.wall, 2)} / ${fmt(prune.wall, 2)} ms; ${fmt(release.cpu, 2)} / ${fmt(prune.cpu, 2)} ms CPU (${prunes} prune calls to forget them; ${left} left)`,
      target: 'report',
      pass: true,
    })
    rows.push({
      name: `longest add / release / prune at ${largest.count.toLocaleString('en')} values with no collector pause inside (wall)`,
      value: `${fmt(adds.clean, 2)} / ${fmt(releases.clean, 2)} / ${fmt(prunesSplit.clean, 2)} ms (CPU ${fmt(adds.cleanCpu, 2)} / ${fmt(releases.cleanCpu, 2)} / ${fmt(prunesSplit.cleanCpu, 2)} ms)`,
      target: '≤ 10 ms',
      pass: adds.clean <= 10 && releases.clean <= 10 && prunesSplit.clean <= 10,
    })
    rows.push({
      name: `longest collector pause inside an add / release / prune at ${largest.count.toLocaleString('en')} values; inside an lru-cache set of the same million`,
      value: `${fmt(adds.pause, 1)} / ${fmt(releases.pause, 1)} / ${fmt(prunesSplit.pause, 1)} ms; ${fmt(sets.pause, 1)} ms (lru-cache longest set ${fmt(lru.longest, 1)} ms, ${fmt(sets.clean, 2)} ms with no pause inside)`,
      target: 'report',
      pass: true,
    })
  }
  gc.stop()
  return rows
}

export async function runRedactorBench(): Promise<{ rows: Row[] }> {
  const list = values(COUNT)
  const ours: number[] = []
  const p999: number[] = []
  const longest: number[] = []
  const lruLongest: number[] = []
  const fetchRatios: number[] = []
  const setRatios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const fill = fillRedactor(list)
    const fetchMs = await fillLruFetch(list)
    const setMs = fillLruSet(list)
    ours.push(fill.ms)
    p999.push(quantile(fill.calls, 0.999))
    longest.push(Math.max(...fill.calls))
    lruLongest.push(Math.max(...fillLruTimed(list)))
    fetchRatios.push(fill.ms / fetchMs)
    setRatios.push(fill.ms / setMs)
  }

  // retire everything, then let the retention pass: pruning runs in bounded steps
  let now = 0
  const retiring = new SecretRedactor({ clock: () => now, retention: 1_000 })
  for (const value of list) retiring.add(value)
  const release = longestCall(list.length, (i) => retiring.release(list[i] as string))
  const longestRelease = release.wall
  now = 2_000
  let prunes = 0
  const prune = longestCall(list.length, () => {
    if (retiring.size > 0) {
      retiring.prune()
      prunes++
    }
  })
  const longestPrune = prune.wall

  // retired values are bounded: 300,000 released values keep at most maxRetired
  const bounded = new SecretRedactor({ maxRetired: COUNT })
  for (const value of [...list, ...values(2 * COUNT)]) {
    bounded.add(value)
    bounded.release(value)
  }

  const before = heapUsed()
  const kept = fillRedactor(list).redactor
  const perValue = (heapUsed() - before) / COUNT
  if (kept.size !== COUNT) throw new Error('unreachable')

  const fetchRatio = median(fetchRatios)
  const worstP999 = Math.max(...p999)
  return {
    rows: [
      ...(await scaleRows()),
      {
        name: `register ${COUNT.toLocaleString('en')} values vs lru-cache fetch fill`,
        value: `${fmt(median(ours), 0)} ms = ${fmt(fetchRatio)}× (vs lru-cache set: ${fmt(median(setRatios), 1)}×)`,
        target: '≤ 3×',
        pass: fetchRatio <= 3,
      },
      {
        name: 'add: p99.9 / longest call (lru-cache set: longest call)',
        value: `${fmt(worstP999, 3)} / ${fmt(Math.max(...longest), 1)} ms (${fmt(Math.max(...lruLongest), 1)} ms)`,
        target: 'p99.9 ≤ 10 ms',
        pass: worstP999 <= 10,
      },
      {
        name: 'longest release / prune call at 100,000 values (wall; CPU)',
        value: `${fmt(longestRelease, 2)} / ${fmt(longestPrune, 2)} ms; ${fmt(release.cpu, 2)} / ${fmt(prune.cpu, 2)} ms CPU (${prunes} prune calls to forget ${COUNT.toLocaleString('en')})`,
        target: '≤ 10 ms',
        pass: longestRelease <= 10 && longestPrune <= 10,
      },
      {
        name: 'retired values after 300,000 released (maxRetired 100,000)',
        value: `${bounded.retired.toLocaleString('en')}`,
        target: '≤ 100,000',
        pass: bounded.retired <= COUNT,
      },
      {
        name: 'heap per registered value (every form indexed)',
        value: `${fmt(perValue, 0)} bytes${globalThis.gc === undefined ? ' (run with --expose-gc for a steadier figure)' : ''}`,
        target: 'report',
        pass: true,
      },
    ],
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { rows } = await runRedactorBench()
  printRows('@latchkey/core SecretRedactor', rows)
}
