import { InvalidSecretNameError } from './errors.js'

/** Longest accepted name, in characters (an AWS secret ARN can reach 2,048). */
export const MAX_NAME_LENGTH = 2048

/** A secret reference split into the stored secret and an optional JSON field. */
export interface SecretRef {
  /** The name the source loads. */
  secret: string
  /** The JSON field after `#`, if any. */
  field: string | undefined
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const CONTROL = /[\u0000-\u001f\u007f]/

/** Validates a name and splits `'db/creds#password'` into secret and field. */
export function parseSecretRef(name: unknown): SecretRef {
  if (typeof name !== 'string') throw new InvalidSecretNameError(`expected a string, got ${typeof name}`)
  if (name.length === 0) throw new InvalidSecretNameError('the name is empty')
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidSecretNameError(`the name is ${name.length} characters; the limit is ${MAX_NAME_LENGTH}`)
  }
  if (CONTROL.test(name)) throw new InvalidSecretNameError('the name contains control characters')
  const hash = name.indexOf('#')
  if (hash === -1) return { secret: name, field: undefined }
  const secret = name.slice(0, hash)
  const field = name.slice(hash + 1)
  if (secret.length === 0) throw new InvalidSecretNameError(`"${name}" has no secret name before "#"`)
  if (field.length === 0) throw new InvalidSecretNameError(`"${name}" has no field name after "#"`)
  if (field.includes('#')) throw new InvalidSecretNameError(`"${name}" has more than one "#"`)
  return { secret, field }
}
