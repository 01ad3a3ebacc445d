/** Concurrent HTTP clients hitting the app; records every request's outcome and latency. */
export class LoadGenerator {
  requests = 0
  failures = 0
  readonly failureSamples: string[] = []
  #latencies: number[] = []
  #running = false
  #workers: Promise<void>[] = []

  constructor(
    private readonly url: string,
    private readonly headers: () => Record<string, string>,
  ) {}

  start(concurrency: number): void {
    this.#running = true
    for (let i = 0; i < concurrency; i++) this.#workers.push(this.#worker(i))
  }

  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#workers)
  }

  /** p50 and p99 in ms over the requests since the last call (and clears them). */
  takeLatencies(): number[] {
    const taken = this.#latencies
    this.#latencies = []
    return taken
  }

  async #worker(id: number): Promise<void> {
    let n = id
    while (this.#running) {
      const started = performance.now()
      try {
        const response = await fetch(`${this.url}/orders/${(n++ % 100) + 1}`, { headers: this.headers() })
        const body = await response.text()
        if (response.status !== 200) this.#fail(`HTTP ${response.status}: ${body.slice(0, 200)}`)
      } catch (error) {
        this.#fail(`request error: ${(error as Error).message}`)
      }
      this.requests++
      this.#latencies.push(performance.now() - started)
    }
  }

  #fail(reason: string): void {
    this.failures++
    if (this.failureSamples.length < 5) this.failureSamples.push(reason)
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number
}
