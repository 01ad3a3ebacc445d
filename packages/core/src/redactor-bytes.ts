/**
 * Longest text copied into an index's own scratch buffer (1 MB, reached only by an index that has
 * scanned such a line); a longer one gets a buffer of its own.
 */
const SCRATCH_MAX = 1 << 20

/**
 * Text is scanned as bytes: copied once into a buffer (`latin1`: the low byte of each UTF-16 unit,
 * so offsets stay the same) and read four bytes at a time through a DataView, which costs a
 * fraction of reading it with `charCodeAt`. Matches are then checked against the text itself.
 * Each index keeps its buffer (no module state: an ESM and a CommonJS copy do not share one).
 */
export class ByteScratch {
  #buffer = Buffer.allocUnsafeSlow(1024)
  #view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength)

  /** `text` as bytes, one per UTF-16 unit. */
  bytesOf(text: string): DataView {
    const need = text.length
    if (need > this.#buffer.length) {
      if (need > SCRATCH_MAX) {
        const bytes = Buffer.allocUnsafeSlow(need)
        bytes.write(text, 0, 'latin1')
        return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      }
      let size = this.#buffer.length
      while (size < need) size *= 2
      this.#buffer = Buffer.allocUnsafeSlow(size)
      this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength)
    }
    this.#buffer.write(text, 0, 'latin1')
    return this.#view
  }
}
