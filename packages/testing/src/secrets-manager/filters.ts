import { serialization, validation } from './errors.js'
import type { StoredSecret } from './store.js'

/** A BatchGetSecretValue / ListSecrets filter. */
export interface SecretFilter {
  Key: string
  Values: string[]
}

const KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all']

/** Validates the `Filters` member: at most 10 filters of known keys, 1–10 values each. */
export function parseFilters(raw: unknown[]): SecretFilter[] {
  if (raw.length > 10) throw validation('filters', 'Member must have length less than or equal to 10')
  return raw.map((item) => {
    const { Key, Values } = (item ?? {}) as { Key?: unknown; Values?: unknown }
    if (typeof Key !== 'string' || !KEYS.includes(Key)) {
      throw validation('filters.member.key', `Member must satisfy enum value set: [${KEYS.join(', ')}]`)
    }
    if (!Array.isArray(Values) || Values.some((v) => typeof v !== 'string')) {
      throw serialization('Expected a list of strings in Filters.Values')
    }
    if (Values.length < 1 || Values.length > 10) {
      throw validation('filters.member.values', 'Member must have length between 1 and 10')
    }
    return { Key, Values: Values as string[] }
  })
}

const startsWith = (text: string | undefined, term: string, caseSensitive: boolean) =>
  text !== undefined &&
  (caseSensitive ? text.startsWith(term) : text.toLowerCase().startsWith(term.toLowerCase()))

function hit(secret: StoredSecret, key: string, term: string): boolean {
  switch (key) {
    case 'name':
      return startsWith(secret.name, term, true)
    case 'description':
      return startsWith(secret.description, term, false)
    case 'tag-key':
      return secret.tags.some((t) => startsWith(t.Key, term, true))
    case 'tag-value':
      return secret.tags.some((t) => startsWith(t.Value, term, true))
    case 'all': {
      const fields = [secret.name, secret.description, ...secret.tags.flatMap((t) => [t.Key, t.Value])]
      return term
        .split(/\s+/)
        .filter(Boolean)
        .every((word) => fields.some((field) => startsWith(field, word, false)))
    }
    default:
      // primary-region and owning-service: the emulator has no replicated or service-owned secrets.
      return false
  }
}

/**
 * True when the secret passes every filter. Within a filter any value may match (prefix match,
 * case rules as AWS documents them); a value starting with `!` matches when the term does not.
 */
export function matchesFilters(secret: StoredSecret, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) =>
    filter.Values.some((value) =>
      value.startsWith('!') ? !hit(secret, filter.Key, value.slice(1)) : hit(secret, filter.Key, value),
    ),
  )
}
