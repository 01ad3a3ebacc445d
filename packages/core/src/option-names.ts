import { InvalidOptionsError } from './errors.js'

/** Longer unknown keys are cut in messages and not compared (no option name is this long). */
const MAX_NAME_SHOWN = 64

/**
 * Edit distance between two option names (insertions, deletions, substitutions and swaps of two
 * neighbours each cost 1). Option names are short, so the table is small.
 */
function distance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  )
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[]
      const above = rows[i - 1] as number[]
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (above[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (above[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1)
      }
      row[j] = best
    }
  }
  return (rows[a.length] as number[])[b.length] as number
}

/** The known name closest to `name` (case-insensitive), if it is close enough to be a typo. */
export function nearestOptionName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const d = distance(wanted, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(1, Math.floor(wanted.length / 3)) ? best : undefined
}

/**
 * Throws `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`) for the first own key of `options`
 * that is not in `known`, naming the nearest known option (`tll` → did you mean `ttl`?) or, when
 * none is close, every known one. Keys whose value is `undefined` are checked too: a misspelled
 * key is a mistake whatever its value. Returns `options` unchanged.
 */
export function checkOptionNames<T extends object>(options: T, known: readonly string[], owner: string): T {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    if (key.length > MAX_NAME_SHOWN) {
      throw new InvalidOptionsError(
        `${owner}: unknown option "${key.slice(0, MAX_NAME_SHOWN)}…" (${key.length} characters); the options are ${known.map((k) => `"${k}"`).join(', ')}`,
      )
    }
    const nearest = nearestOptionName(key, known)
    const hint = nearest
      ? `did you mean "${nearest}"?`
      : `the options are ${known.map((k) => `"${k}"`).join(', ')}`
    throw new InvalidOptionsError(`${owner}: unknown option "${key}"; ${hint}`)
  }
  return options
}
