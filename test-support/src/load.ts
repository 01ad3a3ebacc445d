/** Concurrent query loops started by {@link queryLoad}. */
export interface QueryLoad {
  /** Answers `query` reported as right so far. */
  readonly ok: number
  /** Wrong answers and errors so far. */
  readonly failed: number
  /** What each failure was: `'a wrong answer'`, or the error's `code` (its message when it has none). */
  readonly failures: readonly string[]
  /** Ends every loop after its current query. */
  stop(): Promise<void>
}

/**
 * Runs `workers` loops, each calling `query` back to back until `stop()`: resolving `true` counts
 * as ok, `false` or a rejection as failed. For "zero failed queries across a rotation" tests.
 */
export function queryLoad(query: () => Promise<boolean>, workers = 8): QueryLoad {
  let running = true
  let ok = 0
  const failures: string[] = []
  const loop = async () => {
    while (running) {
      try {
        if (await query()) ok++
        else failures.push('a wrong answer')
      } catch (error) {
        const { code, message } = error as { code?: unknown; message?: unknown }
        failures.push(String(code ?? message))
      }
    }
  }
  const loops = Array.from({ length: workers }, loop)
  return {
    get ok() {
      return ok
    },
    get failed() {
      return failures.length
    },
    failures,
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
