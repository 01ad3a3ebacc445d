import type { OutputStream } from '../io.js'

/** A progress line on stderr for long scans: only when enabled, first after 1 s, then every 250 ms. */
export class Progress {
  readonly #stream: OutputStream
  readonly #enabled: boolean
  readonly #started = performance.now()
  #last = 0
  #shown = false

  constructor(stream: OutputStream, enabled: boolean) {
    this.#stream = stream
    this.#enabled = enabled
  }

  update(files: number, bytes: number): void {
    if (!this.#enabled) return
    const now = performance.now()
    if (now - this.#started < 1_000 || now - this.#last < 250) return
    this.#last = now
    this.#shown = true
    this.#stream.write(`\r\u001b[Kscanning: ${files} files, ${(bytes / 1e6).toFixed(1)} MB`)
  }

  done(): void {
    if (this.#shown) this.#stream.write('\r\u001b[K')
  }
}
