/** Values at least this long show their first and last {@link SHOWN} characters in `get`. */
export const MASK_MIN_LENGTH = 20
/** Characters shown at each end of a long value. */
export const SHOWN = 2

/** A masked view of a value: its length (code points) and `ab…yz`, or `****` for a shorter one. */
export function mask(value: string): { length: number; masked: string } {
  const chars = [...value]
  if (chars.length < MASK_MIN_LENGTH) return { length: chars.length, masked: '****' }
  return {
    length: chars.length,
    masked: `${chars.slice(0, SHOWN).join('')}…${chars.slice(-SHOWN).join('')}`,
  }
}
