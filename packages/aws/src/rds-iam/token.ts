/** What the source reads back from a presigned RDS auth token (never the signature). */
export interface RdsTokenFacts {
  /** `X-Amz-Expires` in milliseconds; 900 s when the token does not say. */
  lifetimeMs: number
}

const DEFAULT_LIFETIME_MS = 900_000

/**
 * Reads the lifetime of a token of the form `host:port/?Action=connect&DBUser=…&X-Amz-Expires=900&…`.
 * Returns `undefined` when the text is not such a token (the caller reports it without quoting it).
 */
export function readRdsToken(token: string): RdsTokenFacts | undefined {
  const query = token.indexOf('/?')
  if (query < 1) return undefined
  const params = new URLSearchParams(token.slice(query + 2))
  if (params.get('Action') !== 'connect' || !params.has('X-Amz-Signature')) return undefined
  const expires = params.get('X-Amz-Expires')
  if (expires === null) return { lifetimeMs: DEFAULT_LIFETIME_MS }
  const seconds = Number(expires)
  if (!Number.isInteger(seconds) || seconds <= 0 || seconds > 604_800) return undefined
  return { lifetimeMs: seconds * 1000 }
}
