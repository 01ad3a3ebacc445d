import { randomBytes } from 'node:crypto'

/** Key Vault object names: 1–127 characters of `0-9`, `a-z`, `A-Z` and `-`. */
export const NAME_PATTERN = /^[0-9a-zA-Z-]{1,127}$/

/** Properties of one version, as the helpers and the REST API set them. */
export interface VersionProperties {
  contentType?: string
  enabled?: boolean
  /** Not usable before this time (epoch milliseconds). */
  notBefore?: number
  /** Not usable after this time (epoch milliseconds). */
  expiresOn?: number
  tags?: Record<string, string>
}

export interface StoredVersion {
  id: string
  value: string
  contentType: string | undefined
  enabled: boolean
  notBefore: number | undefined
  expiresOn: number | undefined
  tags: Record<string, string> | undefined
  created: number
  updated: number
}

export interface StoredSecret {
  name: string
  /** Oldest first; the last one is what a read without a version returns. */
  versions: StoredVersion[]
  /** Set while the secret is soft-deleted. */
  deletedAt?: number
}

/** Days a soft-deleted secret stays recoverable (the service's default retention). */
export const RECOVERABLE_DAYS = 90

/** A version id as Key Vault writes them: 32 lowercase hex digits. */
export function newVersionId(): string {
  return randomBytes(16).toString('hex')
}

/** One vault's secrets, live and soft-deleted. Names are case-insensitive, as in Key Vault. */
export class VaultStore {
  readonly #secrets = new Map<string, StoredSecret>()
  readonly #clock: () => number

  constructor(clock: () => number) {
    this.#clock = clock
  }

  /** The live secret, or undefined (also when it is soft-deleted). */
  live(name: string): StoredSecret | undefined {
    const secret = this.#secrets.get(name.toLowerCase())
    return secret?.deletedAt === undefined ? secret : undefined
  }

  /** The soft-deleted secret, or undefined. */
  deleted(name: string): StoredSecret | undefined {
    const secret = this.#secrets.get(name.toLowerCase())
    return secret?.deletedAt === undefined ? undefined : secret
  }

  /** Every live secret. */
  list(): StoredSecret[] {
    return [...this.#secrets.values()].filter((secret) => secret.deletedAt === undefined)
  }

  /** Adds a version (creating the secret); throws 'deleted' when the name is soft-deleted. */
  put(name: string, value: string, props: VersionProperties, id = newVersionId()): StoredVersion {
    const key = name.toLowerCase()
    let secret = this.#secrets.get(key)
    if (secret?.deletedAt !== undefined) throw new Error('deleted')
    if (secret === undefined) {
      secret = { name, versions: [] }
      this.#secrets.set(key, secret)
    }
    const now = this.#clock()
    const version: StoredVersion = {
      id,
      value,
      contentType: props.contentType,
      enabled: props.enabled ?? true,
      notBefore: props.notBefore,
      expiresOn: props.expiresOn,
      tags: props.tags,
      created: now,
      updated: now,
    }
    secret.versions.push(version)
    return version
  }

  /** Changes the properties of a version in place. */
  update(version: StoredVersion, props: VersionProperties): void {
    if (props.contentType !== undefined) version.contentType = props.contentType
    if (props.enabled !== undefined) version.enabled = props.enabled
    if (props.notBefore !== undefined) version.notBefore = props.notBefore
    if (props.expiresOn !== undefined) version.expiresOn = props.expiresOn
    if (props.tags !== undefined) version.tags = props.tags
    version.updated = this.#clock()
  }

  softDelete(secret: StoredSecret): void {
    secret.deletedAt = this.#clock()
  }

  recover(secret: StoredSecret): void {
    delete secret.deletedAt
  }

  purge(secret: StoredSecret): void {
    this.#secrets.delete(secret.name.toLowerCase())
  }
}
