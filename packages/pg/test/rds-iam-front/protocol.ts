/**
 * The few PostgreSQL v3 wire messages the RDS IAM front reads and writes (PostgreSQL docs,
 * "Frontend/Backend Protocol" → "Message Formats"; limits from the server's `postmaster.c` and
 * `auth.c`). Every message after the startup packet is a type byte, an int32 length that counts
 * itself, and a body.
 */

/** Protocol 3.0 in a StartupMessage. */
export const PROTOCOL_3 = 196_608
/** The request codes that take a startup packet's place. */
export const SSL_REQUEST = 80_877_103
export const GSSENC_REQUEST = 80_877_104
export const CANCEL_REQUEST = 80_877_102
/** The server refuses a startup packet longer than this (`MAX_STARTUP_PACKET_LENGTH`). */
export const MAX_STARTUP_BYTES = 10_000
/** The server reads a password message of at most this many bytes (`PG_MAX_AUTH_TOKEN_LENGTH`). */
export const MAX_PASSWORD_BYTES = 65_535

/** One framed message: its type byte and its body (the bytes after the length). */
export interface WireMessage {
  type: string
  body: Buffer
  /** The whole message, type and length included. */
  raw: Buffer
}

/** A backend message: type byte, int32 length, body. */
export function message(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(5)
  head.write(type, 0, 'latin1')
  head.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([head, body])
}

/** `R` with an int32 request code, and `extra` after it (SASL data). */
export function authentication(code: number, extra: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.alloc(4)
  body.writeInt32BE(code, 0)
  return message('R', Buffer.concat([body, extra]))
}

/** A FATAL ErrorResponse with SQLSTATE `code` and message `text`, as the server writes one. */
export function fatalError(code: string, text: string): Buffer {
  const fields = [`SFATAL`, `VFATAL`, `C${code}`, `M${text}`].map((field) =>
    Buffer.from(`${field}\0`, 'utf8'),
  )
  return message('E', Buffer.concat([...fields, Buffer.from([0])]))
}

/** A StartupMessage (protocol 3.0) carrying `params` (user, database, …). */
export function startupMessage(params: ReadonlyMap<string, string>): Buffer {
  const pairs = [...params].flatMap(([key, value]) => [Buffer.from(`${key}\0${value}\0`, 'utf8')])
  const body = Buffer.concat([...pairs, Buffer.from([0])])
  const head = Buffer.alloc(8)
  head.writeInt32BE(body.length + 8, 0)
  head.writeInt32BE(PROTOCOL_3, 4)
  return Buffer.concat([head, body])
}

/** The `key\0value\0…\0` pairs of a StartupMessage body; `undefined` when they are malformed. */
export function startupParams(body: Buffer): Map<string, string> | undefined {
  const parts = body.toString('utf8').split('\0')
  // A well-formed list ends with the empty key and the final terminator: "k\0v\0\0" → [k, v, '', ''].
  if (parts.length < 2 || parts.at(-1) !== '' || parts.at(-2) !== '' || parts.length % 2 !== 0)
    return undefined
  const params = new Map<string, string>()
  for (let i = 0; i < parts.length - 2; i += 2) {
    const key = parts[i] ?? ''
    if (key === '') return undefined
    params.set(key, parts[i + 1] ?? '')
  }
  return params
}

/**
 * Collects bytes and hands out complete messages; each `take` bounds the length it accepts, so a
 * peer cannot make it buffer without end (it throws on a length out of range).
 */
export class MessageReader {
  #buffer: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
  }

  /** The bytes not yet handed out. */
  rest(): Buffer {
    const rest = this.#buffer
    this.#buffer = Buffer.alloc(0)
    return rest
  }

  /** The next complete typed message of at most `limit` bytes after its type, or `undefined` until one has arrived. */
  take(limit: number): WireMessage | undefined {
    if (this.#buffer.length < 5) return undefined
    const length = this.#buffer.readInt32BE(1)
    if (length < 4 || length > limit) throw new RangeError(`message length ${length} out of range`)
    if (this.#buffer.length < length + 1) return undefined
    const raw = this.#buffer.subarray(0, length + 1)
    this.#buffer = this.#buffer.subarray(length + 1)
    return { type: String.fromCharCode(raw[0] ?? 0), body: raw.subarray(5), raw }
  }

  /** The next complete untyped startup packet (int32 length, then the body) of at most `limit` bytes, or `undefined`. */
  takeStartup(limit: number): { code: number; body: Buffer; raw: Buffer } | undefined {
    if (this.#buffer.length < 4) return undefined
    const length = this.#buffer.readInt32BE(0)
    if (length < 8 || length > limit) throw new RangeError(`startup packet length ${length} out of range`)
    if (this.#buffer.length < length) return undefined
    const raw = this.#buffer.subarray(0, length)
    this.#buffer = this.#buffer.subarray(length)
    return { code: raw.readInt32BE(4), body: raw.subarray(8), raw }
  }
}
