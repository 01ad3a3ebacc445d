import { InvalidSecretNameError } from '@latchkey/core'

/** A Key Vault object name: 1–127 characters of `0-9`, `a-z`, `A-Z` and `-`. */
const KEY_VAULT_NAME = /^[0-9a-zA-Z-]{1,127}$/
/** One segment of a name with `/`: letters and digits, single inner dashes (so `--` stays unambiguous). */
const SEGMENT = /^[0-9a-zA-Z]+(?:-[0-9a-zA-Z]+)*$/
/** A version id as Key Vault writes them (32 hex digits); other letters and digits are let through. */
const VERSION = /^[0-9a-zA-Z]{1,64}$/

/** The naming rule, as error messages state it. */
export const NAME_RULE =
  'Key Vault names are 1–127 characters of 0-9, a-z, A-Z and "-"; latchkey writes "/" as "--", so each "/"-separated part must be letters and digits with single inner dashes (db/password → db--password); "@<version>" pins a version'

/** A latchkey name resolved to what Key Vault is asked for. */
export interface KeyVaultName {
  /** The Key Vault secret name. */
  secret: string
  /** A pinned version, or undefined for the latest. */
  version: string | undefined
}

/**
 * Maps a latchkey name to a Key Vault name and version: `name@version` pins a version, and
 * `/` becomes `--` (`db/password` → `db--password`, read back as `db/password`). A name without
 * `/` is used as it is. Anything Key Vault would refuse throws {@link InvalidSecretNameError}.
 */
export function toKeyVaultName(name: string, source: string): KeyVaultName {
  const reject = (why: string): never => {
    throw new InvalidSecretNameError(`"${name}" ${why}. ${NAME_RULE}`, { secretName: name, source })
  }
  const at = name.indexOf('@')
  const base = at === -1 ? name : name.slice(0, at)
  const version = at === -1 ? undefined : name.slice(at + 1)
  if (version !== undefined && !VERSION.test(version)) {
    reject('has a version after "@" that is not 1–64 letters and digits')
  }
  let secret = base
  if (base.includes('/')) {
    const parts = base.split('/')
    if (!parts.every((part) => SEGMENT.test(part))) {
      reject(
        'has a "/"-separated part that is empty, starts or ends with "-", holds "--" or a character other than 0-9, a-z, A-Z and "-"',
      )
    }
    secret = parts.join('--')
  }
  if (!KEY_VAULT_NAME.test(secret)) {
    reject(
      secret.length > 127 || secret.length === 0
        ? `maps to a Key Vault name of ${secret.length} characters`
        : 'holds a character other than 0-9, a-z, A-Z, "-" and "/"',
    )
  }
  return { secret, version }
}

/** The latchkey spelling of a Key Vault name: `--` read as `/` when every part is a plain segment. */
export function fromKeyVaultName(secret: string): string {
  const parts = secret.split('--')
  return parts.length > 1 && parts.every((part) => SEGMENT.test(part)) ? parts.join('/') : secret
}
