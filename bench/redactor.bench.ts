/**
 * The redactor's registry at scale, against lru-cache 11 filled with the same values in the same
 * process (rounds alternate): registering 100,000 values, the longest single call (how long the
 * event loop is blocked by index maintenance), retiring and forgetting them, and memory.
 *
 *   cd bench && npx tsx redactor.bench.ts
 */
import { randomBytes } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { SecretRedactor } from '@latchkey/core'
import { LRUCache } from 'lru-cache'
import { fmt, median, printRows, type Row } from './measure.js'

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
  longestCallMs: number
}

function fillRedactor(list: string[]): Fill & { redactor: SecretRedactor } {
  const redactor = new SecretRedactor()
  let longest = 0
  const start = performance.now()
  for (let i = 0; i < list.length; i++) {
    const t = performance.now()
    redactor.add(list[i] as string, 'bench')
    longest = Math.max(longest, performance.now() - t)
  }
  return { ms: performance.now() - start, longestCallMs: longest, redactor }
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

function heapUsed(): number {
  globalThis.gc?.()
  return process.memoryUsage().heapUsed
}

export async function runRedactorBench(): Promise<{ rows: Row[] }> {
  const list = values(COUNT)
  const ours: number[] = []
  const longest: number[] = []
  const fetchRatios: number[] = []
  const setRatios: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const fill = fillRedactor(list)
    const fetchMs = await fillLruFetch(list)
    const setMs = fillLruSet(list)
    ours.push(fill.ms)
    longest.push(fill.longestCallMs)
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
  const worstCall = Math.max(...longest, longestRelease, longestPrune)
  return {
    rows: [
      {
        name: `register ${COUNT.toLocaleString('en')} values vs lru-cache fetch fill`,
        value: `${fmt(median(ours), 0)} ms = ${fmt(fetchRatio)}× (vs lru-cache set: ${fmt(median(setRatios), 1)}×)`,
        target: '≤ 3×',
        pass: fetchRatio <= 3,
      },
      {
        name: 'longest single add / release / prune call',
        value: `${fmt(Math.max(...longest), 2)} / ${fmt(longestRelease, 2)} / ${fmt(longestPrune, 2)} ms (${prunes} prune calls to forget ${COUNT.toLocaleString('en')})`,
        target: '≤ 10 ms',
        pass: worstCall <= 10,
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
