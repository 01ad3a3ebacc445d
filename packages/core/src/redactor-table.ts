/** Bits of a table's first size: 1,024 chains. */
const START_BITS = 10
/**
 * Filter bits per chain, as a power of two: 16, the chain's half of a 32-bit filter word. Each
 * link sets two of them (see {@link filterMask}), so a window nothing holds passes with odds of
 * about 0.02 at one to 1.5 links per chain (with 8 bits per chain: 0.06–0.08, and each false pass
 * is a chain walk; the filter costs 2 bytes per chain beside the chain's 8).
 */
const FILTER_EXTRA = 4
/** The filter bits of the chain that filter bit `bit` belongs to, in its word: `CHAIN_BITS << (bit & CHAIN_BITS_AT)`. */
const CHAIN_BITS = 0xffff
const CHAIN_BITS_AT = 16
/**
 * Fields per link: group id, offset of its window in the group's text, next link + 1 (0 ends a
 * chain), window hash. A walk that reads links in place ({@link WindowTable.linkPages}) finds link
 * `l`'s fields at `linkPages[(l - 1) >>> LINK_PAGE_BITS][((l - 1) & LINK_PAGE_MASK) * LINK + field]`.
 */
export const LINK = 4
export const LINK_GROUP = 0
export const LINK_OFFSET = 1
export const LINK_NEXT = 2
export const LINK_HASH = 3
/** Links are kept in pages of 2^15, so that growing never copies what is there. */
const PAGE_BITS = 15
const PAGE_MASK = (1 << PAGE_BITS) - 1
export const LINK_PAGE_BITS = PAGE_BITS
export const LINK_PAGE_MASK = PAGE_MASK
/**
 * Links the first page starts with (4 KB); it doubles (a copy, 256 KB at most) until it is a full
 * page, so a table of a few links is small. Later pages are allocated full and never copied.
 */
const FIRST_LINKS = 256
/** Old chains moved to the larger table per link added while it grows: done before the load doubles again. */
const MOVES_PER_LINK = 2

/**
 * One size of the table: per chain its head (link + 1, 0 for none) and, beside it in the same
 * cache line, its number of links (saturating at 255: a saturated count stays put); and the filter.
 */
class Level {
  /** `[head, crowd]` per chain: chain `c` at `2c`. */
  readonly chains: Int32Array
  /** {@link FILTER_EXTRA} more bits of the hash than the chain index: one bit per 1/16 of a chain. */
  readonly filter: Int32Array
  readonly shift: number
  readonly filterShift: number
  constructor(readonly bits: number) {
    // zero-filled at allocation (pages the OS maps lazily): no pass over a large table
    this.chains = new Int32Array(2 << bits)
    this.filter = new Int32Array(1 << (bits + FILTER_EXTRA - 5))
    this.shift = 32 - bits
    this.filterShift = 32 - bits - FILTER_EXTRA
  }
}

/**
 * The window hashes of every indexed pattern: a chained hash table in typed arrays, indexed by the
 * top bits of a 32-bit window hash, with a filter of 16 bits per chain in front of it, so a scan of
 * clean text reads one filter word per window and rarely a chain.
 *
 * It grows with its contents without ever stopping for long: past one link per chain, a table of
 * twice the size is started and every link added moves {@link MOVES_PER_LINK} old chains into it
 * (a chain `b` splits into `2b` and `2b + 1`, the next bit of the hash). While both exist, a hash
 * whose old chain has moved is looked up in the new table, any other in the old one. Links store
 * their hash, so moving one reads no pattern, and a chain walk skips other windows by comparing
 * it. Removing never shrinks the table.
 */
export class WindowTable {
  #level = new Level(START_BITS)
  /** The larger table being filled, while the table grows. */
  #next: Level | undefined
  /** Old chains below this have moved to {@link #next}. */
  #moved = 0
  readonly #pages: Int32Array[] = []
  #top = 0
  /** First free link + 1, or 0. */
  #free = 0
  #links = 0

  /** The pages of links, for a chain walk that reads them in place (see {@link LINK}). */
  get linkPages(): readonly Int32Array[] {
    return this.#pages
  }

  /** Links held. */
  get size(): number {
    return this.#links
  }

  /** Bytes held in typed arrays (tables and link pages). */
  get bytes(): number {
    const level = (l: Level | undefined) => (l === undefined ? 0 : l.chains.byteLength + l.filter.byteLength)
    let pages = 0
    for (const page of this.#pages) pages += page.byteLength
    return level(this.#level) + level(this.#next) + pages
  }

  /** What a scan reads to test the filter itself (see {@link passes}); kept current by the table. */
  readonly probe: FilterProbe = {
    filter: this.#level.filter,
    filterShift: this.#level.filterShift,
    chainShift: this.#level.shift,
    moved: 0,
    nextFilter: undefined,
    nextFilterShift: 0,
  }

  #updateProbe(): void {
    const probe = this.probe
    probe.filter = this.#level.filter
    probe.filterShift = this.#level.filterShift
    probe.chainShift = this.#level.shift
    probe.moved = this.#moved
    probe.nextFilter = this.#next?.filter
    probe.nextFilterShift = this.#next?.filterShift ?? 0
  }

  /** The level whose chain would hold `hash` now. */
  #levelOf(hash: number): Level {
    const level = this.#level
    return this.#next !== undefined && hash >>> level.shift < this.#moved ? this.#next : level
  }

  /** False when no link has `hash` (true may be a false alarm): the one test a clean window pays. */
  mayHold(hash: number): boolean {
    return passes(this.probe, hash)
  }

  /** The first link of the chain that holds `hash`'s links, + 1; 0 for none. Walk on with {@link next}. */
  head(hash: number): number {
    const level = this.#levelOf(hash)
    return level.chains[(hash >>> level.shift) << 1] as number
  }

  /** Links in the chain `hash` falls in (saturating at 255). */
  crowd(hash: number): number {
    const level = this.#levelOf(hash)
    return level.chains[((hash >>> level.shift) << 1) + 1] as number
  }

  next(link: number): number {
    return this.#field(link, 2)
  }

  group(link: number): number {
    return this.#field(link, 0)
  }

  offset(link: number): number {
    return this.#field(link, 1)
  }

  hash(link: number): number {
    return this.#field(link, 3)
  }

  add(hash: number, group: number, offset: number): void {
    const link = this.#newLink()
    const page = this.#pages[(link - 1) >>> PAGE_BITS] as Int32Array
    const at = ((link - 1) & PAGE_MASK) * LINK
    page[at] = group
    page[at + 1] = offset
    page[at + 3] = hash
    this.#push(this.#levelOf(hash), link, hash)
    this.#links++
    if (this.#next === undefined && this.#links > 1 << this.#level.bits) {
      this.#next = new Level(this.#level.bits + 1)
      this.#moved = 0
    }
    if (this.#next !== undefined) {
      this.#move(MOVES_PER_LINK)
      this.#updateProbe()
    }
  }

  /** Removes the link of `group` at `offset` under `hash`; nothing when there is none. */
  remove(hash: number, group: number, offset: number): void {
    const level = this.#levelOf(hash)
    const chain = hash >>> level.shift
    let previous = 0
    let found = 0
    const bit = hash >>> level.filterShift
    /** The filter bits the chain's other links set (all in the chain's half-word). */
    let others = 0
    for (let link = level.chains[chain << 1] as number; link !== 0; link = this.#field(link, 2)) {
      const linked = this.#field(link, 3)
      if (
        found === 0 &&
        this.#field(link, 0) === group &&
        this.#field(link, 1) === offset &&
        linked === hash
      ) {
        found = link
        continue
      }
      if (found === 0) previous = link
      others |= filterMask(linked >>> level.filterShift, linked)
    }
    if (found === 0) return
    const after = this.#field(found, 2)
    if (previous === 0) level.chains[chain << 1] = after
    else this.#setField(previous, 2, after)
    const crowd = level.chains[(chain << 1) + 1] as number
    if (crowd < 255 && crowd > 0) level.chains[(chain << 1) + 1] = crowd - 1
    const own = CHAIN_BITS << (bit & CHAIN_BITS_AT)
    level.filter[bit >>> 5] = ((level.filter[bit >>> 5] as number) & ~own) | others
    this.#setField(found, 2, this.#free)
    this.#free = found
    this.#links--
  }

  clear(): void {
    this.#level = new Level(START_BITS)
    this.#next = undefined
    this.#moved = 0
    this.#pages.length = 0
    this.#top = 0
    this.#free = 0
    this.#links = 0
    this.#updateProbe()
  }

  #push(level: Level, link: number, hash: number): void {
    const at = (hash >>> level.shift) << 1
    this.#setField(link, 2, level.chains[at] as number)
    level.chains[at] = link
    const crowd = level.chains[at + 1] as number
    if (crowd < 255) level.chains[at + 1] = crowd + 1
    const bit = hash >>> level.filterShift
    level.filter[bit >>> 5] = (level.filter[bit >>> 5] as number) | filterMask(bit, hash)
  }

  /** Moves up to `chains` old chains to the larger table; the larger one takes over after the last. */
  #move(chains: number): void {
    const old = this.#level
    const next = this.#next as Level
    const end = Math.min(1 << old.bits, this.#moved + chains)
    for (let chain = this.#moved; chain < end; chain++) {
      let link = old.chains[chain << 1] as number
      while (link !== 0) {
        const after = this.#field(link, 2)
        this.#push(next, link, this.#field(link, 3))
        link = after
      }
    }
    this.#moved = end
    if (end === 1 << old.bits) {
      this.#level = next
      this.#next = undefined
      this.#moved = 0
    }
  }

  #field(link: number, field: number): number {
    return (this.#pages[(link - 1) >>> PAGE_BITS] as Int32Array)[
      ((link - 1) & PAGE_MASK) * LINK + field
    ] as number
  }

  #setField(link: number, field: number, value: number): void {
    ;(this.#pages[(link - 1) >>> PAGE_BITS] as Int32Array)[((link - 1) & PAGE_MASK) * LINK + field] = value
  }

  #newLink(): number {
    if (this.#free !== 0) {
      const link = this.#free
      this.#free = this.#field(link, 2)
      return link
    }
    const page = this.#top >>> PAGE_BITS
    if (page >= this.#pages.length) {
      this.#pages.push(new Int32Array((page === 0 ? FIRST_LINKS : PAGE_MASK + 1) * LINK))
    } else if (page === 0 && this.#top * LINK >= (this.#pages[0] as Int32Array).length) {
      // the first page doubles until it is full (see FIRST_LINKS)
      const first = this.#pages[0] as Int32Array
      const grown = new Int32Array(first.length * 2)
      grown.set(first)
      this.#pages[0] = grown
    }
    return ++this.#top
  }
}

/** A table's filter as a scan tests it: the current level's, and while it grows the next one's. */
export interface FilterProbe {
  filter: Int32Array
  filterShift: number
  chainShift: number
  /** Chains of the current level below this have moved to the next. */
  moved: number
  nextFilter: Int32Array | undefined
  nextFilterShift: number
}

/** False when the table of `probe` holds no link with `hash` (true may be a false alarm). */
export function passes(probe: FilterProbe, hash: number): boolean {
  let filter = probe.filter
  let bit = hash >>> probe.filterShift
  if (probe.nextFilter !== undefined && hash >>> probe.chainShift < probe.moved) {
    filter = probe.nextFilter
    bit = hash >>> probe.nextFilterShift
  }
  const mask = filterMask(bit, hash)
  return ((filter[bit >>> 5] as number) & mask) === mask
}

/**
 * The two filter bits of `hash` in its filter word (`bit >>> 5`, `bit` = the hash's top bits:
 * its chain and four more): the bit `bit` itself, and the bit of the chain's 16 (the word's low or
 * high half) that four bits of a second mix of the hash choose. A scan tests `(word & mask) === mask`.
 */
export function filterMask(bit: number, hash: number): number {
  return (1 << (bit & 31)) | (1 << ((bit & CHAIN_BITS_AT) | (Math.imul(hash, 0x2c1b3c6d) >>> 28)))
}
