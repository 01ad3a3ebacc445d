import { badRequest } from './http.js'

/** The KV plugin's limits on `custom_metadata` (docs/wire-facts.md#vault-kv-v2-custom-metadata). */
const MAX_KEYS = 64
const MAX_KEY_LENGTH = 128
const MAX_VALUE_LENGTH = 512
const PREFIX = 'custom_metadata validation failed'

/** Go's `%q` for the plain strings a metadata key holds. */
function quoted(text: string): string {
  return JSON.stringify(text)
}

/** A Go multierror's text, as the KV plugin answers it. */
function multierror(errors: string[]): string {
  const n = errors.length
  return `${n} error${n === 1 ? '' : 's'} occurred:\n${errors.map((e) => `\t* ${e}`).join('\n')}\n\n`
}

function printable(text: string): boolean {
  return !/[\p{Cc}\p{Cn}]/u.test(text)
}

/**
 * A `custom_metadata` map checked as the KV plugin checks it: at most 64 keys, keys of 1–128
 * bytes, values of 1–512 bytes, all printable, all strings; 400 with every failure otherwise.
 */
export function checkCustomMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    badRequest('custom_metadata must be a map of strings')
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length > MAX_KEYS) {
    badRequest(
      multierror([`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${entries.length}`]),
    )
  }
  const errors: string[] = []
  for (const [key, raw] of entries) {
    if (typeof raw !== 'string') badRequest('custom_metadata must be a map of strings')
    const keyLength = Buffer.byteLength(key)
    if (keyLength === 0 || keyLength > MAX_KEY_LENGTH) {
      errors.push(
        `${PREFIX}: length of key ${quoted(key)} is ${keyLength} but must be 0 < len(key) <= ${MAX_KEY_LENGTH}`,
      )
    }
    const valueLength = Buffer.byteLength(raw)
    if (valueLength === 0 || valueLength > MAX_VALUE_LENGTH) {
      errors.push(
        `${PREFIX}: length of value for key ${quoted(key)} is ${valueLength} but must be 0 < len(value) <= ${MAX_VALUE_LENGTH}`,
      )
    }
    if (!printable(key)) errors.push(`${PREFIX}: key ${quoted(key)} (${key}) contains unprintable characters`)
    if (!printable(raw))
      errors.push(`${PREFIX}: value for key ${quoted(key)} contains unprintable characters`)
  }
  if (errors.length > 0) badRequest(multierror(errors))
  return Object.fromEntries(entries) as Record<string, string>
}
