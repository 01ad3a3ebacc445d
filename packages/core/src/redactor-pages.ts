/**
 * Storage for the redactor's per-value and per-pattern data that grows without ever copying what
 * it holds. A JavaScript array or `Map` that doubles copies (or rehashes) every element in one
 * call: at a million values that is 50–100 ms of blocked event loop. Here, growth adds a page of
 * fixed size, and a map is split into shards of a few thousand entries each.
 */

/** Entries per page: 4,096 (16 KB of 32-bit fields per field). */
const PAGE_BITS = 12
const PAGE_SIZE = 1 << PAGE_BITS
const PAGE_MASK = PAGE_SIZE - 1
/**
 * Entries the first page starts with. It doubles (a copy of at most 2,048 entries) until it is a
 * full page, so a redactor that holds a few values costs kilobytes, not a full page per field.
 * Every later page is allocated full: growing past the first page never copies.
 */
const FIRST_PAGE = 64

/** The size the first page grows to so that it holds entry `entry`: a power of two up to {@link PAGE_SIZE}. */
function firstPageSize(current: number, entry: number): number {
  let size = Math.max(current, FIRST_PAGE)
  while (size <= entry) size *= 2
  return Math.min(size, PAGE_SIZE)
}

/**
 * Before entry `entry` of page `index` is written: grows the first page (`fields` slots per entry)
 * so that it holds `entry` when `index` is 0, and to a full page before any later page exists.
 * `make(slots, from)` allocates a page of `slots` slots holding a copy of `from`.
 */
function growFirstPage<P extends { readonly length: number }>(
  pages: P[],
  index: number,
  entry: number,
  fields: number,
  make: (slots: number, from: P | undefined) => P,
): void {
  const first = pages[0]
  const held = first === undefined ? 0 : first.length / fields
  if (held === PAGE_SIZE || (index === 0 && entry < held)) return
  pages[0] = make((index > 0 ? PAGE_SIZE : firstPageSize(held, entry)) * fields, first)
}

function intPage(slots: number, from: Int32Array | undefined): Int32Array {
  const page = new Int32Array(slots)
  if (from !== undefined) page.set(from)
  return page
}

function doublePage(slots: number, from: Float64Array | undefined): Float64Array {
  const page = new Float64Array(slots)
  if (from !== undefined) page.set(from)
  return page
}

function valuePage<T>(slots: number, from: Array<T | undefined> | undefined): Array<T | undefined> {
  const page = new Array<T | undefined>(slots).fill(undefined)
  if (from !== undefined) for (let i = 0; i < from.length; i++) page[i] = from[i]
  return page
}
/** Shards of a {@link ShardedMap}: 1,024, so a million keys rehash 1,000 at a time. */
const SHARD_BITS = 10

/** `fields` 32-bit integers per id, for ids 0, 1, 2… allocated a page at a time (zero-filled). */
export class PagedInts {
  readonly #pages: Int32Array[] = []
  constructor(readonly fields: number) {}

  get(id: number, field: number): number {
    return (this.#pages[id >>> PAGE_BITS] as Int32Array)[(id & PAGE_MASK) * this.fields + field] as number
  }

  set(id: number, field: number, value: number): void {
    this.#page(id)[(id & PAGE_MASK) * this.fields + field] = value
  }

  /**
   * The page that holds `id` (set before), for a reader of several of its fields: field `f` is at
   * `pageOf(id)[offsetOf(id) + f]`. One page lookup instead of one per field.
   */
  pageOf(id: number): Int32Array {
    return this.#pages[id >>> PAGE_BITS] as Int32Array
  }

  /** Where `id`'s fields start in {@link pageOf}'s page. */
  offsetOf(id: number): number {
    return (id & PAGE_MASK) * this.fields
  }

  clear(): void {
    this.#pages.length = 0
  }

  #page(id: number): Int32Array {
    const index = id >>> PAGE_BITS
    growFirstPage(this.#pages, index, id, this.fields, intPage)
    while (this.#pages.length <= index) this.#pages.push(new Int32Array(PAGE_SIZE * this.fields))
    return this.#pages[index] as Int32Array
  }
}

/** One number (a double: times, `Infinity`) per id, allocated a page at a time. */
export class PagedDoubles {
  readonly #pages: Float64Array[] = []

  get(id: number): number {
    return (this.#pages[id >>> PAGE_BITS] as Float64Array)[id & PAGE_MASK] as number
  }

  set(id: number, value: number): void {
    const index = id >>> PAGE_BITS
    growFirstPage(this.#pages, index, id, 1, doublePage)
    while (this.#pages.length <= index) this.#pages.push(new Float64Array(PAGE_SIZE))
    ;(this.#pages[index] as Float64Array)[id & PAGE_MASK] = value
  }

  clear(): void {
    this.#pages.length = 0
  }
}

/** One value (a string) per id, allocated a page at a time; `undefined` where none was set. */
export class PagedValues<T> {
  readonly #pages: Array<Array<T | undefined>> = []

  get(id: number): T | undefined {
    return this.#pages[id >>> PAGE_BITS]?.[id & PAGE_MASK]
  }

  set(id: number, value: T | undefined): void {
    const index = id >>> PAGE_BITS
    growFirstPage<Array<T | undefined>>(this.#pages, index, id, 1, valuePage)
    while (this.#pages.length <= index) this.#pages.push(new Array<T | undefined>(PAGE_SIZE).fill(undefined))
    ;(this.#pages[index] as Array<T | undefined>)[id & PAGE_MASK] = value
  }

  clear(): void {
    this.#pages.length = 0
  }
}

/** A stack of integers (free ids) in pages. */
export class IntStack {
  readonly #items = new PagedInts(1)
  #length = 0

  get length(): number {
    return this.#length
  }

  push(value: number): void {
    this.#items.set(this.#length++, 0, value)
  }

  /** The top, removed; -1 when empty. */
  pop(): number {
    return this.#length === 0 ? -1 : this.#items.get(--this.#length, 0)
  }

  clear(): void {
    this.#items.clear()
    this.#length = 0
  }
}

/** A first-in first-out queue of values in pages; a page is dropped once read. */
export class PagedQueue<T> {
  #pages: Array<Array<T | undefined>> = []
  /** Position of the head in the first page, and of the tail in the last. */
  #head = 0
  #tail = PAGE_SIZE
  #length = 0

  get length(): number {
    return this.#length
  }

  push(value: T): void {
    if (this.#tail === PAGE_SIZE) {
      this.#pages.push(new Array<T | undefined>(PAGE_SIZE).fill(undefined))
      this.#tail = 0
    }
    ;(this.#pages[this.#pages.length - 1] as Array<T | undefined>)[this.#tail++] = value
    this.#length++
  }

  /** The oldest value, left in place; `undefined` when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : (this.#pages[0] as Array<T | undefined>)[this.#head]
  }

  /** Drops the oldest value. */
  shift(): void {
    if (this.#length === 0) return
    ;(this.#pages[0] as Array<T | undefined>)[this.#head++] = undefined
    this.#length--
    if (this.#head === PAGE_SIZE || this.#length === 0) {
      // pages are few (one per 4,096 values): dropping the first copies a short array
      this.#pages.shift()
      this.#head = 0
      if (this.#length === 0) {
        this.#pages = []
        this.#tail = PAGE_SIZE
      }
    }
  }

  clear(): void {
    this.#pages = []
    this.#head = 0
    this.#tail = PAGE_SIZE
    this.#length = 0
  }
}

/** FNV-1a over every UTF-16 unit of `key`. */
function hashOf(key: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return hash
}

/** A string-keyed map split into shards by a hash of the key, so no call rehashes more than one shard. */
export class ShardedMap<V> {
  readonly #shards: Array<Map<string, V> | undefined> = new Array(1 << SHARD_BITS).fill(undefined)
  #size = 0

  get size(): number {
    return this.#size
  }

  get(key: string): V | undefined {
    return this.#shards[hashOf(key) >>> (32 - SHARD_BITS)]?.get(key)
  }

  set(key: string, value: V): void {
    const at = hashOf(key) >>> (32 - SHARD_BITS)
    let shard = this.#shards[at]
    if (shard === undefined) {
      shard = new Map()
      this.#shards[at] = shard
    }
    const before = shard.size
    shard.set(key, value)
    this.#size += shard.size - before
  }

  delete(key: string): void {
    const shard = this.#shards[hashOf(key) >>> (32 - SHARD_BITS)]
    if (shard?.delete(key) === true) this.#size--
  }

  clear(): void {
    this.#shards.fill(undefined)
    this.#size = 0
  }
}
