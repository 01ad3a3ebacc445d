import { InvalidSecretNameError } from '@latchkey/core'

/** What Secret Manager accepts as a secret id: 1–255 of letters, digits, `_` and `-`. */
export const SECRET_ID_PATTERN = /^[A-Za-z0-9_-]{1,255}$/
const NAME_CHARACTERS = /^[A-Za-z0-9_/-]+$/
const NUMBERED = /^[1-9][0-9]{0,18}$/

/** A latchkey name resolved to a Secret Manager secret id and version. */
export interface SecretVersionRef {
  /** The secret id, e.g. `db__password` for `db/password`. */
  secretId: string
  /** `latest` or a version number as text. */
  version: string
}

/** Checks a version selector: `latest` or a version number from 1. */
export function isVersionSelector(value: unknown): value is string {
  return typeof value === 'string' && (value === 'latest' || NUMBERED.test(value))
}

function reject(name: string, why: string, source: string): never {
  throw new InvalidSecretNameError(`"${name}" ${why}`, { secretName: name, source })
}

/**
 * The Secret Manager secret id for a latchkey name. Ids are 1–255 of `A-Z a-z 0-9 _ -`; a name may
 * also hold `/`, and each `/` becomes `__` (`db/password` → `db__password`). So that the rule can
 * be reversed ({@link fromSecretId}), a name may not contain `__`, `_/` or `/_`, nor start or end
 * with `/` or hold `//`. Anything else throws `InvalidSecretNameError` (`ERR_SECRET_INVALID_NAME`).
 */
export function toSecretId(name: string, source = 'google-secret-manager'): string {
  const rule = 'Secret Manager ids are 1–255 of A-Z a-z 0-9 _ -, and each "/" becomes "__"'
  if (!NAME_CHARACTERS.test(name))
    reject(name, `has characters Secret Manager does not accept (${rule})`, source)
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) {
    reject(name, 'has an empty path segment (a leading, trailing or doubled "/")', source)
  }
  if (name.includes('__') || name.includes('_/') || name.includes('/_')) {
    reject(name, `cannot be mapped reversibly: it holds "__", "_/" or "/_" (${rule})`, source)
  }
  const id = name.replaceAll('/', '__')
  if (id.length > 255) reject(name, `maps to a ${id.length}-character id; the limit is 255 (${rule})`, source)
  return id
}

/** The latchkey name of a secret id that {@link toSecretId} produced: each `__` becomes `/`. */
export function fromSecretId(secretId: string): string {
  return secretId.replaceAll('__', '/')
}

/**
 * Splits `name@version` (version `latest` or a number) into a secret id and a version; a name
 * without `@` reads `defaultVersion`.
 */
export function parseSecretName(name: string, defaultVersion: string, source: string): SecretVersionRef {
  const at = name.lastIndexOf('@')
  if (at === -1) return { secretId: toSecretId(name, source), version: defaultVersion }
  const version = name.slice(at + 1)
  if (!isVersionSelector(version)) {
    reject(name, 'has a version after "@" that is neither "latest" nor a version number from 1', source)
  }
  return { secretId: toSecretId(name.slice(0, at), source), version }
}
