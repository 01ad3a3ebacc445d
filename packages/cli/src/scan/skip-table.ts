/**
 * Wu–Manber shift table over two-byte blocks (Wu and Manber, "A fast algorithm for multi-pattern
 * searching", 1994): for a window of `width` bytes (the shortest pattern's length, capped), how far
 * the window may move when its last two bytes are a given block, without stepping over the start
 * of any pattern. A block that ends no pattern prefix allows `width - 1`; the last block of a
 * prefix allows 0 (a candidate start, verified by the automaton).
 */
export interface SkipTable {
  /** The window length; 0 when skipping cannot pay off (a pattern shorter than {@link MIN_WIDTH}). */
  width: number
  /** Block (`first << 8 | second`) → shift in bytes. */
  shift: Uint8Array
}

/** Windows shorter than this shift too little to beat reading every byte. */
export const MIN_WIDTH = 4
/** Longer windows only grow the table's fill; shifts fit in a byte. */
const MAX_WIDTH = 64

export function skipTable(patterns: readonly { bytes: Uint8Array }[]): SkipTable {
  let width = MAX_WIDTH
  let any = false
  for (const { bytes } of patterns) {
    if (bytes.length === 0) continue
    any = true
    width = Math.min(width, bytes.length)
  }
  if (!any || width < MIN_WIDTH) return { width: 0, shift: new Uint8Array(0) }
  const shift = new Uint8Array(1 << 16).fill(width - 1)
  for (const { bytes } of patterns) {
    if (bytes.length === 0) continue
    for (let end = 1; end < width; end++) {
      const block = ((bytes[end - 1] as number) << 8) | (bytes[end] as number)
      const allowed = width - 1 - end
      if (allowed < (shift[block] as number)) shift[block] = allowed
    }
  }
  return { width, shift }
}
