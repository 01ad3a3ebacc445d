/** What the source reads back from a presigned RDS auth token (never the signature). */
export interface RdsTokenFacts {
  /** `X-Amz-Expires` in milliseconds; 900 s when the token does not say. */
  lifetimeMs: number
  /**
   * `X-Amz-Date` as epoch milliseconds, when the token carries a well-formed one
   * (`YYYYMMDDTHHMMSSZ`): RDS counts the lifetime from this instant, which is whole seconds, so it
   * can be up to a second before the mint started.
   */
  signedAtMs?: number
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

function readAmzDate(text: string | null): number | undefined {
  const m = text === null ? null : AMZ_DATE.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[]
  const ms = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s)
  // Date.UTC rolls over out-of-range fields (month 13, second 61): such a date is not well formed
  const back = new Date(ms)
  if (back.getUTCMonth() !== (mo as number) - 1 || back.getUTCDate() !== d || back.getUTCSeconds() !== s)
    return undefined
  return ms
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
  const signedAtMs = readAmzDate(params.get('X-Amz-Date'))
  const expires = params.get('X-Amz-Expires')
  let lifetimeMs = DEFAULT_LIFETIME_MS
  if (expires !== null) {
    const seconds = Number(expires)
    if (!Number.isInteger(seconds) || seconds <= 0 || seconds > 604_800) return undefined
    lifetimeMs = seconds * 1000
  }
  return signedAtMs === undefined ? { lifetimeMs } : { lifetimeMs, signedAtMs }
}
