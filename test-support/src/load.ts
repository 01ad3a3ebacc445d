/** Concurrent query loops started by {@link queryLoad}. */
export interface QueryLoad {
  /** Answers `query` reported as right so far. */
  readonly ok: number
  /** Wrong answers and errors so far. */
  readonly failed: number
  /** Ends every loop after its current query. */
  stop(): Promise<void>
}

/**
 * Runs `workers` loops, each calling `query` back to back until `stop()`: resolving `true` counts
 * as ok, `false` or a rejection as failed. For "zero failed queries across a rotation" tests.
 */
export function queryLoad(query: () => Promise<boolean>, workers = 8): QueryLoad {
  let running = true
  const counts = { ok: 0, failed: 0 }
  const loop = async () => {
    while (running) {
      try {
        if (await query()) counts.ok++
        else counts.failed++
      } catch {
        counts.failed++
      }
    }
  }
  const loops = Array.from({ length: workers }, loop)
  return {
    get ok() {
      return counts.ok
    },
    get failed() {
      return counts.failed
    },
    async stop() {
      running = false
      await Promise.all(loops)
    },
  }
}

/** `text` as an SQL string literal (`'it''s'`), for statements that take no parameters (`ALTER ROLE`). */
export function sqlLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
