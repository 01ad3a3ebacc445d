/**
 * What the redactor needs to find words (key names a log scrubber censors) in the same pass as
 * values: every letter case of a window, a table of word windows by their exact key, and the check
 * of a word against the text.
 */

/** `key` with every ASCII letter byte in both cases: each spelling a word's window can take. */
export function caseVariants(key: number): number[] {
  let variants = [key]
  for (let shift = 0; shift < 32; shift += 8) {
    const byte = (key >>> shift) & 255
    const lower = byte | 0x20
    if (lower < 97 || lower > 122) continue
    variants = variants.flatMap((variant) => [variant | (0x20 << shift), variant & ~(0x20 << shift)])
  }
  return variants
}

/**
 * Word windows by their exact key: open addressing with linear probing, a few thousand entries
 * (every letter case of every window, and the windows that take any byte). Small, so a lookup
 * stays in cache; entries are only ever added.
 */
export class WordTable {
  #bits = 12
  #keys = new Int32Array(1 << 12)
  /** `wordIndex << 8 | (offset + 2)` (offsets start at -1); 0 marks an empty slot. */
  #entries = new Int32Array(1 << 12)
  #count = 0

  add(key: number, entry: number): void {
    if ((this.#count + 1) * 2 > this.#keys.length) this.#grow()
    this.#put(key, entry)
  }

  /** The first slot holding `key`, or -1. */
  first(key: number): number {
    return this.#scan(key, this.#home(key))
  }

  /** The next slot after `slot` holding `key`, or -1. */
  next(key: number, slot: number): number {
    return this.#scan(key, (slot + 1) & (this.#keys.length - 1))
  }

  entry(slot: number): number {
    return this.#entries[slot] as number
  }

  clear(): void {
    this.#bits = 12
    this.#keys = new Int32Array(1 << 12)
    this.#entries = new Int32Array(1 << 12)
    this.#count = 0
  }

  #scan(key: number, from: number): number {
    const mask = this.#keys.length - 1
    for (let slot = from; this.#entries[slot] !== 0; slot = (slot + 1) & mask) {
      if (this.#keys[slot] === key) return slot
    }
    return -1
  }

  #put(key: number, entry: number): void {
    const mask = this.#keys.length - 1
    let slot = this.#home(key)
    while (this.#entries[slot] !== 0) slot = (slot + 1) & mask
    this.#keys[slot] = key
    this.#entries[slot] = entry
    this.#count++
  }

  /** Where `key` would sit: the top bits of a multiplicative hash (its low bits only see the last byte). */
  #home(key: number): number {
    return Math.imul(key, 0x27d4eb2d) >>> (32 - this.#bits)
  }

  #grow(): void {
    this.#bits++
    const keys = this.#keys
    const entries = this.#entries
    this.#keys = new Int32Array(keys.length * 2)
    this.#entries = new Int32Array(keys.length * 2)
    this.#count = 0
    for (let slot = 0; slot < keys.length; slot++) {
      if (entries[slot] !== 0) this.#put(keys[slot] as number, entries[slot] as number)
    }
  }
}

/** True when `text` holds `lower` (lowercase) at `start`, ASCII letters compared in any case. */
export function sameLetters(text: string, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    let code = text.charCodeAt(start + i)
    if (code >= 65 && code <= 90) code += 32
    if (code !== lower.charCodeAt(i)) return false
  }
  return true
}
