import { type Agent, request } from 'node:http'

/** One answer of the extension: status and body text. */
export interface ExtensionAnswer {
  status: number
  body: string
}

/** Answers larger than this are refused: more than any secret (64 KiB) or parameter (8 KiB) in JSON with escapes. */
export const MAX_ANSWER_BYTES = 1_048_576

/**
 * A GET of `url` with the token header, over `agent`. Rejects on a network failure, an abort
 * (`signal`) or an answer over {@link MAX_ANSWER_BYTES}; the rejection never carries the body.
 */
export function getAnswer(
  url: URL,
  token: string,
  agent: Agent,
  signal: AbortSignal,
): Promise<ExtensionAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'GET',
      agent,
      signal,
      headers: { 'X-Aws-Parameters-Secrets-Token': token, accept: 'application/json' },
    })
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_ANSWER_BYTES) {
          res.destroy()
          reject(new RangeError(`the answer is over ${MAX_ANSWER_BYTES} bytes`))
          return
        }
        chunks.push(chunk)
      })
      res.on('error', reject)
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      )
    })
    req.end()
  })
}
