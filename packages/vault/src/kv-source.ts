import {
  InvalidOptionsError,
  type LoadContext,
  type LoadedSecret,
  ProviderClosedError,
  type SecretSource,
} from '@latchkey/core'
import { checkSourceOptionNames, optionKeys } from '@latchkey/core/internal'
import { malformedReply } from './errors.js'
import { CONNECTION_OPTION_KEYS, checkString, resolveConnectionOptions } from './options.js'
import { vaultPath } from './paths.js'
import { type VaultConnectionOptions, VaultSession } from './session.js'

/** Options for {@link VaultKvSource}. */
export interface VaultKvSourceOptions extends VaultConnectionOptions {
  /** The KV mount. @default 'secret' */
  mount?: string
  /** The KV engine version of the mount. @default 2 */
  kvVersion?: 1 | 2
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function malformed(name: string, source: string, what: string) {
  return malformedReply({ secretName: name, source }, `a ${what} read envelope`)
}

/**
 * A KV v2 version served with a `deletion_time` still ahead (set by `delete_version_after`) is
 * deleted then, and Vault answers 404 from that moment (docs/wire-facts.md#vault-kv-version-2):
 * its time left, in ms, so the cache never serves it past that point. Undefined without one.
 */
export function untilDeletion(deletionTime: unknown, now = Date.now()): number | undefined {
  if (typeof deletionTime !== 'string' || deletionTime === '') return undefined
  const at = Date.parse(deletionTime)
  if (Number.isNaN(at)) return undefined
  return Math.max(1, at - now)
}

/** `{ value: "…" }` gives that string; any other map gives its JSON (so `name#key` selects a key). */
export function kvValue(data: Record<string, unknown>): string {
  const keys = Object.keys(data)
  if (keys.length === 1 && keys[0] === 'value' && typeof data.value === 'string') return data.value
  return JSON.stringify(data)
}

/**
 * Secrets from a HashiCorp Vault KV mount (v2 by default, or v1). The secret name is the path
 * below the mount (`'app/db'` reads `secret/data/app/db` on KV v2); the version is the KV v2
 * version number (KV v1 has none, so the cache compares content hashes).
 */
export class VaultKvSource implements SecretSource {
  readonly name = 'vault-kv'
  readonly #session: VaultSession
  readonly #mount: string
  readonly #kvVersion: 1 | 2
  #closed = false

  constructor(options: VaultKvSourceOptions) {
    checkSourceOptionNames(options, KV_OPTION_KEYS, 'VaultKvSource')
    const settings = resolveConnectionOptions(options, 'VaultKvSource')
    const mount = (checkString('VaultKvSource', 'mount', options.mount) ?? 'secret').replace(/^\/+|\/+$/g, '')
    if (mount === '')
      throw new InvalidOptionsError('VaultKvSource: option mount must be a non-empty string such as "secret"')
    const kvVersion = options.kvVersion ?? 2
    if (kvVersion !== 1 && kvVersion !== 2)
      throw new InvalidOptionsError(
        `VaultKvSource: option kvVersion must be 1 or 2 (got ${String(kvVersion)})`,
      )
    this.#mount = mount
    this.#kvVersion = kvVersion
    this.#session = new VaultSession(options, settings)
  }

  async load(name: string, ctx?: LoadContext): Promise<LoadedSecret> {
    if (this.#closed) throw new ProviderClosedError({ secretName: name, source: this.name })
    const path = vaultPath(name, this.name)
    const url = this.#kvVersion === 2 ? `${this.#mount}/data/${path}` : `${this.#mount}/${path}`
    const body = await this.#session.read(url, { secretName: name, source: this.name }, ctx?.signal)
    // Vault answers a missing or deleted key with 404, never with 200. A 200 whose body is not a
    // KV envelope (an HTML page from a proxy, JSON cut off mid-way: node-vault hands such a body
    // over as a string) is a malformed answer, transient like any other backend failure, so the
    // cache keeps serving the last good value within maxStale instead of dropping it.
    const data = isMap(body) && isMap(body.data) ? body.data : undefined
    if (this.#kvVersion === 1) {
      if (data === undefined) throw malformed(name, this.name, 'KV v1')
      return { value: kvValue(data) }
    }
    if (data === undefined || !isMap(data.data)) throw malformed(name, this.name, 'KV v2')
    const metadata = isMap(data.metadata) ? data.metadata : {}
    const version = metadata.version
    const ttlMs = untilDeletion(metadata.deletion_time)
    return {
      value: kvValue(data.data),
      ...(version === undefined ? {} : { version: String(version) }),
      ...(ttlMs === undefined ? {} : { ttlMs }),
    }
  }

  /** Stops token renewal. */
  async close(): Promise<void> {
    this.#closed = true
    this.#session.close()
  }
}

const KV_OPTION_KEYS = optionKeys<VaultKvSourceOptions>({
  ...CONNECTION_OPTION_KEYS,
  mount: true,
  kvVersion: true,
})
