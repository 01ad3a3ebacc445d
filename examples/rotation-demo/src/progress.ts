/** Live progress: one refreshing status line on a terminal, plain periodic lines otherwise. */
export interface Snapshot {
  elapsed: number
  total: number
  phase: string
  requests: number
  failures: number
  rotations: number
  backendCalls: number
  /** From the OpenTelemetry metrics: source loads, stale serves and the cache hit rate. */
  loads: number
  staleServes: number
  hitRate: number
  p50: number
  p99: number
}

export class Progress {
  readonly #out: NodeJS.WriteStream
  readonly #live: boolean
  #lastPlain = 0

  constructor(out: NodeJS.WriteStream, plain: boolean) {
    this.#out = out
    this.#live = Boolean(out.isTTY) && !plain
  }

  update(s: Snapshot): void {
    const width = 20
    const done = Math.min(width, Math.round((s.elapsed / s.total) * width))
    const bar = `[${'#'.repeat(done)}${'.'.repeat(width - done)}]`
    const line =
      `${bar} ${s.elapsed.toFixed(0).padStart(3)}/${s.total}s ${s.phase.padEnd(18)} ` +
      `req ${s.requests} fail ${s.failures} rot ${s.rotations} backend ${s.backendCalls} ` +
      `loads ${s.loads} stale ${s.staleServes} ` +
      `hit ${(s.hitRate * 100).toFixed(1)}% p50 ${s.p50.toFixed(1)}ms p99 ${s.p99.toFixed(1)}ms`
    if (this.#live) {
      this.#out.write(`\r\x1b[2K${line}`)
    } else if (s.elapsed - this.#lastPlain >= 2 || s.elapsed >= s.total) {
      this.#lastPlain = s.elapsed
      this.#out.write(`${line}\n`)
    }
  }

  note(message: string): void {
    this.#out.write(this.#live ? `\r\x1b[2K${message}\n` : `${message}\n`)
  }

  finish(): void {
    if (this.#live) this.#out.write('\n')
  }
}
