import { createHash, timingSafeEqual } from 'node:crypto'

const digest = (text: string): Buffer => createHash('sha256').update(text).digest()

/**
 * Compares a presented key with the real one in constant time. Both sides are hashed first, so
 * neither the content nor the length of the real key shows in the timing.
 */
export function keyMatches(presented: string | undefined, expected: string): boolean {
  if (presented === undefined || presented.length === 0) return false
  return timingSafeEqual(digest(presented), digest(expected))
}
