import { crc32c } from './crc32c.js'
import { GoogleSecretManagerEmulatorError } from './errors.js'

/** A version's state, as the API names it (numbers are the proto enum values). */
export type VersionState = 'ENABLED' | 'DISABLED' | 'DESTROYED'

export const STATE_NUMBER: Record<VersionState, number> = { ENABLED: 1, DISABLED: 2, DESTROYED: 3 }

/** One stored version. `data` is dropped when the version is destroyed. */
export interface StoredVersion {
  number: number
  state: VersionState
  data: Buffer | undefined
  /** The CRC-32C kept with the payload; absent for versions stored without one. */
  crc32c: number | undefined
  /** True when the client sent `dataCrc32c` with AddSecretVersion. */
  clientChecksum: boolean
  createTime: string
  destroyTime?: string
  etag: string
}

export interface StoredSecret {
  project: string
  id: string
  createTime: string
  etag: string
  versions: StoredVersion[]
  labels: Record<string, string>
}

/** Secret ids: 1–255 of letters, digits, `_` and `-` (the API's rule). */
export const SECRET_ID = /^[A-Za-z0-9_-]{1,255}$/
/** Project ids (6–30 of lowercase letters, digits, `-`) or project numbers. */
export const PROJECT = /^(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|[0-9]{1,20})$/

/** The state of every project the emulator serves. Names are checked by the caller. */
export class SecretStore {
  readonly #secrets = new Map<string, StoredSecret>()
  readonly #clock: () => number
  #etags = 0

  constructor(clock: () => number) {
    this.#clock = clock
  }

  /** A fresh etag: the service's are opaque quoted strings. */
  #etag(): string {
    this.#etags++
    return `"${this.#clock().toString(16)}-${this.#etags.toString(16)}"`
  }

  #now(): string {
    return new Date(this.#clock()).toISOString()
  }

  #key(project: string, id: string): string {
    return `${project}/${id}`
  }

  has(project: string, id: string): boolean {
    return this.#secrets.has(this.#key(project, id))
  }

  create(project: string, id: string, labels: Record<string, string> = {}): StoredSecret {
    if (!SECRET_ID.test(id)) {
      throw new GoogleSecretManagerEmulatorError(
        'INVALID_ARGUMENT',
        'The provided Secret ID does not match the expected format [[a-zA-Z_0-9]+].',
      )
    }
    if (this.has(project, id)) {
      throw new GoogleSecretManagerEmulatorError(
        'ALREADY_EXISTS',
        `Secret [projects/${project}/secrets/${id}] already exists.`,
      )
    }
    const secret: StoredSecret = {
      project,
      id,
      createTime: this.#now(),
      etag: this.#etag(),
      versions: [],
      labels: { ...labels },
    }
    this.#secrets.set(this.#key(project, id), secret)
    return secret
  }

  secret(project: string, id: string): StoredSecret {
    const secret = this.#secrets.get(this.#key(project, id))
    if (secret === undefined) {
      throw new GoogleSecretManagerEmulatorError(
        'NOT_FOUND',
        `Secret [projects/${project}/secrets/${id}] not found.`,
      )
    }
    return secret
  }

  delete(project: string, id: string): void {
    this.secret(project, id)
    this.#secrets.delete(this.#key(project, id))
  }

  addVersion(
    secret: StoredSecret,
    data: Buffer,
    checksum: { value?: number; client: boolean },
  ): StoredVersion {
    const version: StoredVersion = {
      number: secret.versions.length + 1,
      state: 'ENABLED',
      data,
      crc32c: checksum.value,
      clientChecksum: checksum.client,
      createTime: this.#now(),
      etag: this.#etag(),
    }
    secret.versions.push(version)
    return version
  }

  /**
   * The version `selector` names: a number, or `latest` (the most recently created version,
   * whatever its state). Throws NOT_FOUND like the service.
   */
  version(secret: StoredSecret, selector: string): StoredVersion {
    const path = `projects/${secret.project}/secrets/${secret.id}`
    if (selector === 'latest') {
      const latest = secret.versions.at(-1)
      if (latest === undefined)
        throw new GoogleSecretManagerEmulatorError(
          'NOT_FOUND',
          `Secret [${path}] not found or has no versions.`,
        )
      return latest
    }
    const number = /^[1-9][0-9]{0,9}$/.test(selector) ? Number(selector) : Number.NaN
    const version = Number.isNaN(number) ? undefined : secret.versions[number - 1]
    if (version === undefined) {
      if (!/^[0-9]+$/.test(selector)) {
        throw new GoogleSecretManagerEmulatorError(
          'INVALID_ARGUMENT',
          `Invalid resource field value in the request.`,
        )
      }
      throw new GoogleSecretManagerEmulatorError(
        'NOT_FOUND',
        `Secret Version [${path}/versions/${selector}] not found.`,
      )
    }
    return version
  }

  setState(version: StoredVersion, state: VersionState): void {
    if (version.state === 'DESTROYED' && state !== 'DESTROYED') {
      throw new GoogleSecretManagerEmulatorError(
        'FAILED_PRECONDITION',
        'A destroyed Secret Version cannot be enabled or disabled.',
      )
    }
    version.state = state
    version.etag = this.#etag()
    if (state === 'DESTROYED') {
      version.data = undefined
      version.crc32c = undefined
      version.destroyTime ??= this.#now()
    }
  }
}

/** The checksum the service stores for a payload it was given without one. */
export function checksumOf(data: Uint8Array): number {
  return crc32c(data)
}
