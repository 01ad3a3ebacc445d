/** Small timing helpers shared by the benchmarks. Ratios come from rounds run alternately in one process. */

export interface Row {
  name: string
  value: string
  target: string
  pass: boolean
}

/** Nanoseconds per call of `fn`, the median over `rounds` timed batches of `batch` calls. */
export function nsPerOp(fn: () => unknown, batch: number, rounds = 15): number[] {
  const samples: number[] = []
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) fn()
    samples.push(Number(process.hrtime.bigint() - start) / batch)
  }
  return samples
}

/** Like {@link nsPerOp} for an async function awaited in sequence. */
export async function nsPerAsyncOp(fn: () => Promise<unknown>, batch: number): Promise<number> {
  const start = process.hrtime.bigint()
  for (let i = 0; i < batch; i++) await fn()
  return Number(process.hrtime.bigint() - start) / batch
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}

/** Runs `a` and `b` alternately `rounds` times and returns the median of each. */
export async function alternate(
  a: () => Promise<number> | number,
  b: () => Promise<number> | number,
  rounds: number,
): Promise<[number, number]> {
  const as: number[] = []
  const bs: number[] = []
  for (let i = 0; i < rounds; i++) {
    as.push(await a())
    bs.push(await b())
  }
  return [median(as), median(bs)]
}

export function fmt(n: number, digits = 2): string {
  return n.toFixed(digits)
}

export function printRows(title: string, rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.name.length))
  console.log(`\n${title}`)
  for (const row of rows) {
    console.log(
      `  ${row.pass ? 'PASS' : 'MISS'}  ${row.name.padEnd(width)}  ${row.value}  (target ${row.target})`,
    )
  }
}

/** mulberry32: a small, fast, seeded random source, so simulations repeat exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Garbage-collection pauses, recorded by a `PerformanceObserver` of `gc` entries, so that a timed
 * call's own work can be told from a collector pause that landed inside it (with a million values
 * in the heap a major collection stops the event loop for tens of milliseconds, whoever made the
 * garbage). Entries arrive after the synchronous code that saw them: `await settle()` before
 * asking about calls just made.
 */
export class GcPauses {
  readonly #pauses: Array<{ start: number; end: number }> = []
  readonly #observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      this.#pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration })
  })

  constructor() {
    this.#observer.observe({ entryTypes: ['gc'] })
  }

  /** Waits until the entries of pauses so far have been delivered. */
  async settle(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }

  /** Milliseconds of collector pause inside `[start, end]` (`performance.now()` times). */
  inside(start: number, end: number): number {
    let ms = 0
    for (const pause of this.#pauses) {
      if (pause.end > start && pause.start < end)
        ms += Math.min(end, pause.end) - Math.max(start, pause.start)
    }
    return ms
  }

  stop(): void {
    this.#observer.disconnect()
  }
}

/** Calls timed one by one: the longest in wall time, and the longest that no collector pause touched. */
export class SlowCalls {
  /** `[start, wall ms, CPU ms]` of every call over {@link SlowCalls.threshold}. */
  readonly #calls: Array<[number, number, number]> = []
  #longest = 0
  constructor(readonly threshold = 0.5) {}

  /** A call that started at `start` (`performance.now()`) and took `wallMs`, `cpuMs` of process CPU (NaN: not measured). */
  record(start: number, wallMs: number, cpuMs = Number.NaN): void {
    if (wallMs > this.#longest) this.#longest = wallMs
    if (wallMs > this.threshold) this.#calls.push([start, wallMs, cpuMs])
  }

  /** Longest call in wall time (collector pauses and scheduling included). */
  get longest(): number {
    return this.#longest
  }

  /**
   * Longest call with no collector pause inside it (`threshold` when none above it is clean) with
   * its CPU time (process CPU: the collector's helper threads count), and the longest collector
   * pause inside any call. Call after `gc.settle()`.
   */
  split(gc: GcPauses): { clean: number; cleanCpu: number; pause: number } {
    let clean = Math.min(this.#longest, this.threshold)
    let cleanCpu = Number.NaN
    let pause = 0
    for (const [start, ms, cpu] of this.#calls) {
      const inside = gc.inside(start, start + ms)
      if (inside === 0 && ms > clean) {
        clean = ms
        cleanCpu = cpu
      } else if (inside > 0) pause = Math.max(pause, inside)
    }
    return { clean, cleanCpu, pause }
  }
}
