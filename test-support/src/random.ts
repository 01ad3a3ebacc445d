/** A seeded random source for property tests: the same seed gives the same cases, so a failure replays. */
export interface SeededRandom {
  /** A float in [0, 1). */
  next(): number
  /** A signed 32-bit integer, every bit random (for hashes). */
  int32(): number
  /** An integer in [0, n). */
  int(n: number): number
  /** One of `items`, which must not be empty. */
  pick<T>(items: readonly T[]): T
}

/** mulberry32: small, fast and well spread for test data (not for anything secret). */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0
  const int32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return t ^ (t >>> 14)
  }
  const next = (): number => (int32() >>> 0) / 4294967296
  return {
    next,
    int32,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)] as never,
  }
}
