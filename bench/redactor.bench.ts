/**
 * The redactor's registry at scale, against lru-cache 11 filled with the same values in the same
 * process (rounds alternate): registering 100,000 values, how long single calls take (how long
 * the event loop is blocked by index maintenance; the longest call also holds GC and scheduling
 * pauses, so lru-cache's longest `set` in the same run is printed beside it), retiring and
 * forgetting them, and memory; and the per-line cost of a clean line from 10 to 1,000,000
 * registered values (REDACTOR_BENCH_MILLION=0 leaves the 1,000,000 row out: it takes ~1 GB).
 *
 *   cd bench && npx tsx redactor.bench.ts
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { SecretRedactor } from '@latchkey/core'
import { createLineScrubber } from '@latchkey/core/internal'
import { LRUCache } from 'lru-cache'
import { fmt, median, nsPerOp, printRows, type Row } from './measure.js'

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

/** Credential key names as `redactSecrets` watches them: the line scan as pino runs it. */
const KEYS = {
  watch: ['password', 'passwd', 'token', 'secret', 'authorization', 'cookie', 'apikey', 'api_key', 'session'],
  isSensitiveKey: (key: string) => /pass|token|secret|auth|cookie|api_?key|session/i.test(key),
  censor: '[REDACTED]',
}

interface Scale {
  count: number
  /** Per line: values alone, and values with key words (as `redactSecrets` scans). */
  ns: number
  nsWords: number
  bytesPerValue: number
  fillMs: number
  longestAddMs: number
}

/**
 * Per-line cost of the log-line scrubber on {@link CLEAN_LINE} with `count` registered values
 * (values alone, and with the key words `redactSecrets` watches), memory per value (heap and the
 * index's typed arrays), the time to register them and the longest single `add`. The rounds of
 * the two scrubbers alternate.
 */
function perLineAt(count: number): Scale {
  const before = heapUsed()
  const redactor = new SecretRedactor()
  const batch = 20_000
  let fillMs = 0
  let longestAddMs = 0
  for (let start = 0; start < count; start += batch) {
    const list = values(Math.min(batch, count - start))
    for (const value of list) {
      const t = performance.now()
      redactor.add(value, 'bench')
      const took = performance.now() - t
      fillMs += took
      if (took > longestAddMs) longestAddMs = took
    }
  }
  const bytesPerValue = (heapUsed() - before) / count
  const scrub = createLineScrubber({ redactors: [redactor] })
  const scrubWords = createLineScrubber({ redactors: [redactor], keys: KEYS })
  const plain: number[] = []
  const words: number[] = []
  for (let round = 0; round < 7; round++) {
    plain.push(median(nsPerOp(() => scrub(CLEAN_LINE.slice(0, 40) + CLEAN_LINE.slice(40)), 10_000, 3)))
    words.push(median(nsPerOp(() => scrubWords(CLEAN_LINE.slice(0, 40) + CLEAN_LINE.slice(40)), 10_000, 3)))
  }
  return { count, ns: median(plain), nsWords: median(words), bytesPerValue, fillMs, longestAddMs }
}

function scaleRows(): Row[] {
  const counts = [
    10,
    1_000,
    10_000,
    100_000,
    ...(process.env.REDACTOR_BENCH_MILLION === '0' ? [] : [1_000_000]),
  ]
  const results = counts.map(perLineAt)
  const at1k = results[1] as Scale
  return results.map(({ count, ns, nsWords, bytesPerValue, fillMs, longestAddMs }) => ({
    name: `line scrub with ${count.toLocaleString('en')} values registered (${CLEAN_LINE.length}-char clean line; values alone / with key words)`,
    value: `${fmt(ns, 0)} ns = ${fmt(ns / at1k.ns)}× / ${fmt(nsWords, 0)} ns = ${fmt(nsWords / at1k.nsWords)}× of 1,000; ${fmt(bytesPerValue, 0)} bytes/value; filled in ${fmt(fillMs, 0)} ms (longest add ${fmt(longestAddMs, 1)} ms)`,
    target: count === 1_000_000 ? '≤ 1.5× of 1,000' : 'report',
    pass: count !== 1_000_000 || (ns / at1k.ns <= 1.5 && nsWords / at1k.nsWords <= 1.5),
  }))
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
  let longestRelease = 0
  for (const value of list) {
    const t = performance.now()
    retiring.release(value)
    longestRelease = Math.max(longestRelease, performance.now() - t)
  }
  now = 2_000
  let longestPrune = 0
  let prunes = 0
  while (retiring.size > 0) {
    const t = performance.now()
    retiring.prune()
    longestPrune = Math.max(longestPrune, performance.now() - t)
    prunes++
  }

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
      ...scaleRows(),
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
        name: 'longest release / prune call',
        value: `${fmt(longestRelease, 2)} / ${fmt(longestPrune, 2)} ms (${prunes} prune calls to forget ${COUNT.toLocaleString('en')})`,
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
