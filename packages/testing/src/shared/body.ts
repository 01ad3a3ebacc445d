import type { IncomingMessage } from 'node:http'

/** A request body that was read, or one over the limit (its bytes were discarded). */
export type LimitedBody = { text: string } | { tooLarge: true }

/** How much of an oversize body is drained (and discarded) before the connection is cut. */
const DRAIN_FACTOR = 4

/**
 * Reads a request body of at most `limit` bytes. A larger one (by `Content-Length` or as it
 * streams) is read to the end and discarded, so the caller can answer it on a healthy connection,
 * as a server with a request size limit does; past 4× the limit the socket is destroyed instead.
 */
export function readLimitedBody(req: IncomingMessage, limit: number): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = Number(req.headers['content-length']) > limit
    req.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limit) {
        tooLarge = true
        chunks.length = 0
      } else if (!tooLarge) {
        chunks.push(chunk)
      }
      if (size > limit * DRAIN_FACTOR) req.socket.destroy()
    })
    req.on('end', () =>
      resolve(tooLarge ? { tooLarge: true } : { text: Buffer.concat(chunks).toString('utf8') }),
    )
    req.on('error', reject)
    req.on('close', () => {
      if (!req.complete) reject(new Error('the client went away before the body was complete'))
    })
  })
}
