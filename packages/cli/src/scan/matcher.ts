import { type SkipTable, skipTable } from './skip-table.js'

/**
 * Aho–Corasick over bytes: every pattern found in one left-to-right pass, O(input + matches),
 * whatever the number of patterns. The automaton is a full DFA over the byte classes the patterns
 * use (bytes no pattern contains share one class). While the automaton is at its root (no pattern
 * under way), a Wu–Manber skip over two-byte blocks jumps ahead to the next place a pattern could
 * start, so text that holds no pattern prefix costs about two byte reads per window shift instead
 * of two array reads per byte. Worst case (every window a candidate): a block read plus one
 * automaton step per byte, still O(input + matches) with no step back.
 */

/** One pattern to find, with what to report when it is found. */
export interface Pattern<T> {
  bytes: Uint8Array
  tag: T
}

/** Where a pattern ended (exclusive byte offset in the whole stream) and which one. */
export type OnMatch<T> = (end: number, pattern: Pattern<T>) => void

export class MultiMatcher<T> {
  readonly patterns: readonly Pattern<T>[]
  /** byte → class (0 = a byte no pattern contains). */
  readonly #classOf = new Uint8Array(256)
  readonly #classes: number
  /** state × class → next state. */
  #next: Int32Array
  /** First pattern ending at the state (-1: none); more through #samePattern and #outputLink. */
  #output: Int32Array
  /** Next state down the suffix chain that has an output (-1: none). */
  #outputLink: Int32Array
  /** Pattern id → the next pattern with the same end state (-1: none). */
  readonly #samePattern: Int32Array
  readonly #states: number
  readonly #skip: SkipTable

  constructor(patterns: Pattern<T>[]) {
    this.patterns = patterns
    let classes = 1
    for (const { bytes } of patterns) {
      for (const byte of bytes) if (this.#classOf[byte] === 0) this.#classOf[byte] = classes++
    }
    if (classes > 255) throw new RangeError('more than 254 distinct bytes in patterns')
    this.#classes = classes
    const maxStates = patterns.reduce((sum, p) => sum + p.bytes.length, 1)
    // trie
    let next = new Int32Array(maxStates * classes).fill(-1)
    let states = 1
    const endState = new Int32Array(patterns.length)
    for (let id = 0; id < patterns.length; id++) {
      let state = 0
      for (const byte of (patterns[id] as Pattern<T>).bytes) {
        const slot = state * classes + (this.#classOf[byte] as number)
        if ((next[slot] as number) === -1) next[slot] = states++
        state = next[slot] as number
      }
      endState[id] = state
    }
    next = next.slice(0, states * classes)
    const output = new Int32Array(states).fill(-1)
    this.#samePattern = new Int32Array(patterns.length).fill(-1)
    for (let id = patterns.length - 1; id >= 0; id--) {
      if ((patterns[id] as Pattern<T>).bytes.length === 0) continue
      const state = endState[id] as number
      this.#samePattern[id] = output[state] as number
      output[state] = id
    }
    // breadth-first: failure links folded into the DFA, output links along them
    const fail = new Int32Array(states)
    const outputLink = new Int32Array(states).fill(-1)
    const queue = new Int32Array(states)
    let head = 0
    let tail = 0
    for (let c = 0; c < classes; c++) {
      const child = next[c] as number
      if (child === -1) next[c] = 0
      else {
        fail[child] = 0
        queue[tail++] = child
      }
    }
    while (head < tail) {
      const state = queue[head++] as number
      const f = fail[state] as number
      outputLink[state] = (output[f] as number) !== -1 ? f : (outputLink[f] as number)
      for (let c = 0; c < classes; c++) {
        const slot = state * classes + c
        const child = next[slot] as number
        const viaFail = next[f * classes + c] as number
        if (child === -1) next[slot] = viaFail
        else {
          fail[child] = viaFail
          queue[tail++] = child
        }
      }
    }
    // premultiplied: an entry is the next state's row offset, negated (minus one) when that state
    // ends a pattern, so the scan loop does one read and one sign test per byte
    const table = new Int32Array(next.length)
    for (let i = 0; i < next.length; i++) {
      const to = next[i] as number
      const ends = (output[to] as number) !== -1 || (outputLink[to] as number) !== -1
      table[i] = ends ? -(to * classes) - 1 : to * classes
    }
    this.#next = table
    this.#output = output
    this.#outputLink = outputLink
    this.#states = states
    this.#skip = skipTable(patterns)
  }

  /** States in the automaton (memory is states × classes × 4 bytes), and the skip window (0: off). */
  get size(): { states: number; classes: number; skipWidth: number } {
    return { states: this.#states, classes: this.#classes, skipWidth: this.#skip.width }
  }

  /**
   * Feeds `chunk` (the bytes after those already fed) from `state` (0 to start); calls `onMatch`
   * for every pattern that ends inside it. Returns the state to continue from. `offset` is the
   * stream offset of `chunk[0]`. Cost: at most one table read per byte plus one block read per
   * window shift, plus the matches.
   */
  feed(chunk: Uint8Array, state: number, offset: number, onMatch: OnMatch<T>): number {
    const next = this.#next
    const classOf = this.#classOf
    const classes = this.#classes
    const { width, shift } = this.#skip
    const n = chunk.length
    let row = state * classes
    let i = 0
    for (;;) {
      // the automaton, while a pattern may be under way (everywhere when skipping is off)
      while (i < n && (row !== 0 || width === 0)) {
        row = next[row + (classOf[chunk[i] as number] as number)] as number
        i++
        if (row < 0) {
          row = -row - 1
          this.#report(row / classes, offset + i, onMatch)
        }
      }
      if (i >= n) return row / classes
      // at the root, no pattern starts before i: shift windows of `width` bytes to a candidate
      let end = i + width - 1
      while (end < n) {
        const by = shift[((chunk[end - 1] as number) << 8) | (chunk[end] as number)] as number
        if (by === 0) break
        end += by
      }
      i = end - width + 1
      if (end >= n) return this.#tail(chunk, i, offset, onMatch)
      // a candidate start: one automaton step, then the loop above while it stays off the root
      row = next[classOf[chunk[i] as number] as number] as number
      i++
      if (row < 0) {
        row = -row - 1
        this.#report(row / classes, offset + i, onMatch)
      }
    }
  }

  /** The bytes from `from` to the end, too few for a window: read by the automaton from the root. */
  #tail(chunk: Uint8Array, from: number, offset: number, onMatch: OnMatch<T>): number {
    const next = this.#next
    const classOf = this.#classOf
    const classes = this.#classes
    let row = 0
    for (let i = from; i < chunk.length; i++) {
      row = next[row + (classOf[chunk[i] as number] as number)] as number
      if (row < 0) {
        row = -row - 1
        this.#report(row / classes, offset + i + 1, onMatch)
      }
    }
    return row / classes
  }

  #report(state: number, end: number, onMatch: OnMatch<T>): void {
    const output = this.#output
    const outputLink = this.#outputLink
    for (
      let at = (output[state] as number) !== -1 ? state : (outputLink[state] as number);
      at !== -1;
      at = outputLink[at] as number
    ) {
      for (let id = output[at] as number; id !== -1; id = this.#samePattern[id] as number) {
        onMatch(end, this.patterns[id] as Pattern<T>)
      }
    }
  }
}
