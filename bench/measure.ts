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
