import { randomBytes, randomInt } from 'node:crypto'

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** `length` random characters from [A-Za-z0-9], as Vault's `base62.Random` produces. */
export function randomBase62(length: number): string {
  let out = ''
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)]
  return out
}

/** A Vault-style service token: `hvs.` and 24 random characters. */
export function randomToken(): string {
  return `hvs.${randomBase62(24)}`
}

/** A random hex id for accessors and role ids. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex')
}

/** RFC 3339 in UTC ending in `Z`, with fractional seconds only when they are non-zero (docs/wire-facts.md#vault-kv-version-2). */
export function timestamp(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z')
}

/** `2006-01-02 15:04:05-0700` in UTC: the form Vault puts in `{{expiration}}`. */
export function pgExpiration(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}+0000`
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** Seconds from a Vault duration: a number, `"90"`, `"30s"`, `"5m"`, `"1h"`, `"1d"` or `"1h30m"`. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value)
  if (typeof value !== 'string' || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text)
  let total = 0
  let rest = text
  while (rest.length > 0) {
    const match = /^(\d+)([smhd])/.exec(rest)
    if (match === null) return undefined
    total += Number(match[1]) * (UNITS[match[2] as string] as number)
    rest = rest.slice(match[0].length)
  }
  return total
}
