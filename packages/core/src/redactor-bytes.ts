/**
 * Longest text copied into a scratch buffer (1 MB, reached only by a scanner that has scanned such
 * a line); a longer one gets a buffer of its own, so one huge line does not keep a huge buffer alive.
 */
const SCRATCH_MAX = 1 << 20

/**
 * Text is scanned as bytes: copied once into a buffer (`latin1`: the low byte of each UTF-16 unit,
 * so offsets stay the same) and read four bytes at a time through a DataView, which costs a
 * fraction of reading it with `charCodeAt`. Matches are then checked against the text itself.
 * Each scanner keeps its buffer (no module state: an ESM and a CommonJS copy do not share one); the
 * line scrubber copies a line once and hands the bytes to every redactor's scan and to its word
 * finder.
 */
export class ByteScratch {
  #buffer = Buffer.allocUnsafeSlow(1024)
  #view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength)

  /**
   * `text` as bytes, one per UTF-16 unit, and four zero bytes after it (a four-byte read at any
   * offset of the text stays inside the view). Valid until the next call.
   */
  bytesOf(text: string): DataView {
    const length = text.length
    const need = length + 4
    if (need > this.#buffer.length) {
      if (need > SCRATCH_MAX) {
        const bytes = Buffer.allocUnsafeSlow(need)
        bytes.write(text, 0, 'latin1')
        bytes.fill(0, length)
        return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      }
      let size = this.#buffer.length
      while (size < need) size *= 2
      this.#buffer = Buffer.allocUnsafeSlow(size)
      this.#view = new DataView(this.#buffer.buffer, this.#buffer.byteOffset, this.#buffer.byteLength)
    }
    const buffer = this.#buffer
    buffer.write(text, 0, 'latin1')
    buffer[length] = 0
    buffer[length + 1] = 0
    buffer[length + 2] = 0
    buffer[length + 3] = 0
    return this.#view
  }
}
