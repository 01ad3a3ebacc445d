import { parseDuration, randomHex, timestamp } from './format.js'
import * as http from './http.js'
import { checkCustomMetadata } from './kv-metadata.js'
import { mergePatch } from './merge-patch.js'
import { SYSTEM_TTL } from './tokens.js'

/** A KV map as Vault stores it. */
export type KvData = Record<string, unknown>

interface Version {
  data: KvData
  createdAt: number
  deletedAt: number | undefined
  destroyed: boolean
}

interface Key {
  versions: Map<number, Version>
  current: number
  createdAt: number
  updatedAt: number
  /** The key's own `max_versions`; 0: unset (the mount's, else 10). */
  maxVersions: number
  casRequired: boolean
  /** Seconds after which a new version is soft-deleted (its `deletion_time`); 0 never. */
  deleteVersionAfter: number
  /** The key's `custom_metadata`; null when never set. */
  customMetadata: Record<string, string> | null
}

/** A mount's `<mount>/config`: defaults for every key (docs/wire-facts.md#vault-kv-v2-patch-config-and-custom-metadata). */
interface MountConfig {
  maxVersions: number
  casRequired: boolean
  deleteVersionAfter: number
}

/**
 * Seconds until a new version's `deletion_time`, as Vault combines the mount's and the key's
 * `delete_version_after`: the one that is set, the shorter when both are; undefined for none.
 */
function deleteAfter(mount: number, key: number): number | undefined {
  if (key > 0 && mount > 0) return Math.min(key, mount)
  if (key > 0) return key
  return mount > 0 ? mount : undefined
}

/** A Go duration as Vault prints `delete_version_after`: `0s`, `30s`, `1m30s`, `1h0m0s`. */
export function goDuration(seconds: number): string {
  if (seconds < 60) return `${seconds}s`
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  return h > 0 ? `${h}h${m}m${s}s` : `${m}m${s}s`
}

/** Deleted now: soft-deleted, or its `deletion_time` (from `delete_version_after`) has passed. */
function isDeleted(version: Version, now = Date.now()): boolean {
  return version.destroyed || (version.deletedAt !== undefined && version.deletedAt <= now)
}

function emptyKey(now: number): Key {
  return {
    versions: new Map(),
    current: 0,
    createdAt: now,
    updatedAt: now,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    customMetadata: null,
  }
}

function versionMetadata(version: Version): object {
  return {
    created_time: timestamp(version.createdAt),
    deletion_time: version.deletedAt === undefined ? '' : timestamp(version.deletedAt),
    destroyed: version.destroyed,
  }
}

function versionList(body: Record<string, unknown> | undefined): number[] {
  const versions = body?.versions
  if (!Array.isArray(versions) || versions.length === 0) http.badRequest('no version number provided')
  return versions.map(Number).filter((n) => Number.isInteger(n) && n > 0)
}

/** The metadata settings a key can have (`POST`/`PATCH <mount>/metadata/<path>`). */
export interface KeySettings {
  maxVersions?: number
  casRequired?: boolean
  /** Seconds; 0 turns it off. */
  deleteVersionAfter?: number
  /** Replaces the key's `custom_metadata`; null clears it. */
  customMetadata?: Record<string, string> | null
}

/** A mount's tunable settings (`sys/mounts/<path>/tune`); TTLs in seconds, 0 for the system's. */
export interface MountTune {
  description: string
  defaultLeaseTtl: number
  maxLeaseTtl: number
}

/** KV version 2 at one mount (docs/wire-facts.md#vault-kv-version-2). */
export class KvV2 {
  readonly version = 2
  readonly tune: MountTune = { description: '', defaultLeaseTtl: 0, maxLeaseTtl: 0 }
  readonly accessor = `kv_${randomHex(4)}`
  readonly #keys = new Map<string, Key>()
  readonly #config: MountConfig = { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 }

  constructor(readonly mount: string) {}

  /** Writes a new version; returns its number. `cas` as in the API. */
  write(path: string, data: KvData, cas?: number): number {
    const now = Date.now()
    let key = this.#keys.get(path)
    if (cas !== undefined && cas !== (key?.current ?? 0)) {
      http.badRequest('check-and-set parameter did not match the current version')
    }
    if (cas === undefined && (key?.casRequired || this.#config.casRequired))
      http.badRequest('check-and-set parameter required for this call')
    if (key === undefined) {
      key = emptyKey(now)
      this.#keys.set(path, key)
    }
    key.current++
    key.updatedAt = now
    key.versions.set(key.current, {
      data: structuredClone(data),
      createdAt: now,
      // delete_version_after: the version gets its deletion_time when it is written (KV v2 API docs).
      deletedAt: ((after) => (after === undefined ? undefined : now + after * 1000))(
        deleteAfter(this.#config.deleteVersionAfter, key.deleteVersionAfter),
      ),
      destroyed: false,
    })
    for (const n of [...key.versions.keys()].sort((a, b) => a - b)) {
      if (key.versions.size <= (Math.max(key.maxVersions, this.#config.maxVersions) || 10)) break
      key.versions.delete(n)
    }
    return key.current
  }

  /** Soft-deletes versions (the latest when none are given). */
  softDelete(path: string, versions?: number[]): void {
    const key = this.#keys.get(path)
    if (key === undefined) return
    for (const n of versions ?? [key.current]) {
      const version = key.versions.get(n)
      if (version !== undefined && !isDeleted(version)) version.deletedAt = Date.now()
    }
  }

  undelete(path: string, versions: number[]): void {
    const key = this.#keys.get(path)
    for (const n of versions) {
      const version = key?.versions.get(n)
      if (version !== undefined && !version.destroyed) version.deletedAt = undefined
    }
  }

  /** Destroys versions for good (the latest when none are given). */
  destroy(path: string, versions?: number[]): void {
    const key = this.#keys.get(path)
    if (key === undefined) return
    for (const n of versions ?? [key.current]) {
      const version = key.versions.get(n)
      if (version !== undefined) {
        version.destroyed = true
        version.data = {}
      }
    }
  }

  /** Sets a key's metadata, creating the key (with no versions) when it does not exist. */
  setMetadata(path: string, settings: KeySettings): void {
    let key = this.#keys.get(path)
    if (key === undefined) {
      key = emptyKey(Date.now())
      this.#keys.set(path, key)
    }
    if (settings.maxVersions !== undefined && settings.maxVersions > 0) key.maxVersions = settings.maxVersions
    if (settings.casRequired !== undefined) key.casRequired = settings.casRequired
    if (settings.deleteVersionAfter !== undefined) key.deleteVersionAfter = settings.deleteVersionAfter
    if (settings.customMetadata !== undefined) {
      key.customMetadata = settings.customMetadata === null ? null : { ...settings.customMetadata }
    }
    key.updatedAt = Date.now()
  }

  #custom(path: string): Record<string, string> | null {
    return this.#keys.get(path)?.customMetadata ?? null
  }

  /** Current version number, or undefined when the key does not exist. */
  currentVersion(path: string): number | undefined {
    return this.#keys.get(path)?.current
  }

  handle(request: http.VaultRequest, rest: string): http.VaultReply {
    const slash = rest.indexOf('/')
    const kind = slash === -1 ? rest : rest.slice(0, slash)
    const path = slash === -1 ? '' : rest.slice(slash + 1).replace(/\/+$/, '')
    if (kind === 'config' && path === '') return this.#mountConfig(request)
    if (path === '' && !(kind === 'metadata' && request.list)) return this.#v1Style(request)
    switch (kind) {
      case 'data':
        return this.#data(request, path)
      case 'metadata':
        return this.#metadata(request, path)
      case 'delete':
        this.#post(request)
        this.softDelete(path, versionList(request.body))
        return http.noContent
      case 'undelete':
        this.#post(request)
        this.undelete(path, versionList(request.body))
        return http.noContent
      case 'destroy':
        this.#post(request)
        this.destroy(path, versionList(request.body))
        return http.noContent
      default:
        return this.#v1Style(request)
    }
  }

  /** A v1-style path on a v2 mount: nothing there. */
  #v1Style(request: http.VaultRequest): never {
    if (request.method === 'GET' || request.list) http.notFound()
    return http.noRoute(`${this.mount}/${request.path}`)
  }

  #post(request: http.VaultRequest): void {
    if (request.method !== 'POST' && request.method !== 'PUT') http.unsupported()
  }

  #data(request: http.VaultRequest, path: string): http.VaultReply {
    switch (request.method) {
      case 'GET':
        return this.#read(path, request.query.get('version'))
      case 'POST':
      case 'PUT': {
        const data = request.body?.data
        if (typeof data !== 'object' || data === null || Array.isArray(data))
          http.badRequest('no data provided')
        const options = request.body?.options as { cas?: unknown } | undefined
        let cas: number | undefined
        if (options?.cas !== undefined) {
          cas = Number(options.cas)
          if (!Number.isInteger(cas) || cas < 0) http.badRequest('error parsing check-and-set parameter')
        }
        const number = this.write(path, data as KvData, cas)
        const version = this.#keys.get(path)?.versions.get(number) as Version
        return http.ok({
          data: { ...versionMetadata(version), custom_metadata: this.#custom(path), version: number },
          mount_type: 'kv',
        })
      }
      case 'PATCH':
        return this.#patch(request, path)
      case 'DELETE':
        this.softDelete(path)
        return http.noContent
      default:
        return http.unsupported()
    }
  }

  /**
   * `PATCH <mount>/data/<path>`: a JSON merge patch of the current version's data, written as a
   * new version. 404 for a key with no versions, and with the version's metadata for a current
   * version that is deleted or destroyed; `cas` as for a write.
   */
  #patch(request: http.VaultRequest, path: string): http.VaultReply {
    const patch = request.body?.data
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
      http.badRequest('no data provided')
    const key = this.#keys.get(path)
    const version = key?.versions.get(key.current)
    if (key === undefined || version === undefined) http.notFound()
    if (isDeleted(version)) {
      return http.ok(
        { data: { ...versionMetadata(version), custom_metadata: key.customMetadata, version: key.current } },
        404,
      )
    }
    const cas = (request.body?.options as { cas?: unknown } | undefined)?.cas
    const number = this.write(
      path,
      mergePatch(version.data, patch) as KvData,
      cas === undefined ? undefined : Number(cas),
    )
    const written = key.versions.get(number) as Version
    return http.ok({
      data: { ...versionMetadata(written), custom_metadata: key.customMetadata, version: number },
      mount_type: 'kv',
    })
  }

  /** `GET`/`POST <mount>/config`: `max_versions`, `cas_required`, `delete_version_after` for every key. */
  #mountConfig(request: http.VaultRequest): http.VaultReply {
    const config = this.#config
    if (request.method === 'GET') {
      return http.ok({
        data: {
          cas_required: config.casRequired,
          delete_version_after: goDuration(config.deleteVersionAfter),
          max_versions: config.maxVersions,
        },
        mount_type: 'kv',
      })
    }
    this.#post(request)
    const body = request.body ?? {}
    if (body.max_versions !== undefined) {
      const n = Number(body.max_versions)
      if (!Number.isInteger(n) || n < 0) http.badRequest('max_versions must be a non-negative integer')
      config.maxVersions = n
    }
    if (typeof body.cas_required === 'boolean') config.casRequired = body.cas_required
    if (body.delete_version_after !== undefined && body.delete_version_after !== '') {
      const after = parseDuration(body.delete_version_after)
      if (after === undefined) http.badRequest('invalid delete_version_after')
      config.deleteVersionAfter = after
    }
    return http.noContent
  }

  #read(path: string, versionParam: string | null): http.VaultReply {
    const key = this.#keys.get(path)
    if (key === undefined) http.notFound()
    const wanted =
      versionParam === null || versionParam === '' || versionParam === '0'
        ? key.current
        : Number(versionParam)
    const version = key.versions.get(wanted)
    if (version === undefined) http.notFound()
    const metadata = { ...versionMetadata(version), custom_metadata: key.customMetadata, version: wanted }
    if (isDeleted(version)) {
      // Deleted or destroyed: 404 with the normal envelope and no `errors` (docs/wire-facts.md#vault-kv-version-2).
      return http.ok({ data: { data: null, metadata }, mount_type: 'kv' }, 404)
    }
    return http.ok({ data: { data: structuredClone(version.data), metadata }, mount_type: 'kv' })
  }

  /**
   * `PATCH <mount>/metadata/<path>`: a JSON merge patch of the key's metadata; `custom_metadata`
   * merges key by key and `null` removes a key (or, for the whole field, every key). 404 for a
   * key that does not exist.
   */
  #patchMetadata(request: http.VaultRequest, path: string): http.VaultReply {
    const key = this.#keys.get(path)
    if (key === undefined) http.notFound()
    const body = request.body ?? {}
    const settings: KeySettings = {}
    if (typeof body.max_versions === 'number') settings.maxVersions = body.max_versions
    if (typeof body.cas_required === 'boolean') settings.casRequired = body.cas_required
    if (body.delete_version_after !== undefined && body.delete_version_after !== null) {
      const after = parseDuration(body.delete_version_after)
      if (after === undefined) http.badRequest('invalid delete_version_after')
      settings.deleteVersionAfter = after
    }
    if (body.custom_metadata !== undefined) {
      const merged = mergePatch(key.customMetadata ?? {}, body.custom_metadata) as Record<
        string,
        unknown
      > | null
      settings.customMetadata =
        merged === null || Object.keys(merged).length === 0 ? null : checkCustomMetadata(merged)
    }
    this.setMetadata(path, settings)
    return http.noContent
  }

  #metadata(request: http.VaultRequest, path: string): http.VaultReply {
    if (request.list) return listKeys(this.#keys.keys(), path)
    const key = this.#keys.get(path)
    switch (request.method) {
      case 'GET': {
        if (key === undefined) http.notFound()
        const versions = Object.fromEntries(
          [...key.versions].map(([n, v]) => [String(n), versionMetadata(v)]),
        )
        return http.ok({
          data: {
            cas_required: key.casRequired,
            created_time: timestamp(key.createdAt),
            current_version: key.current,
            custom_metadata: key.customMetadata,
            delete_version_after: goDuration(key.deleteVersionAfter),
            max_versions: key.maxVersions,
            oldest_version: key.versions.size === 0 ? 0 : Math.min(...key.versions.keys()),
            updated_time: timestamp(key.updatedAt),
            versions,
          },
          mount_type: 'kv',
        })
      }
      // "Creates or updates the metadata": a key with no versions yet is created (KV v2 API docs).
      case 'POST':
      case 'PUT': {
        const body = request.body
        const maxVersions = body?.max_versions
        const after = body?.delete_version_after
        let deleteVersionAfter: number | undefined
        if (after !== undefined && after !== null && after !== '') {
          deleteVersionAfter = parseDuration(after)
          if (deleteVersionAfter === undefined) http.badRequest('invalid delete_version_after')
        }
        // custom_metadata on a POST replaces the whole map (PATCH merges it).
        const custom = body?.custom_metadata
        this.setMetadata(path, {
          ...(typeof maxVersions === 'number' ? { maxVersions } : {}),
          ...(typeof body?.cas_required === 'boolean' ? { casRequired: body.cas_required } : {}),
          ...(deleteVersionAfter === undefined ? {} : { deleteVersionAfter }),
          ...(custom === undefined || custom === null ? {} : { customMetadata: checkCustomMetadata(custom) }),
        })
        return http.noContent
      }
      case 'PATCH':
        return this.#patchMetadata(request, path)
      // Same answer as version 1's DELETE below: deleting the metadata removes the key and all its versions.
      case 'DELETE':
        this.#keys.delete(path)
        return http.noContent
      default:
        return http.unsupported()
    }
  }
}

/** KV version 1 at one mount (docs/wire-facts.md#vault-kv-version-1). */
export class KvV1 {
  readonly version = 1
  readonly tune: MountTune = { description: '', defaultLeaseTtl: 0, maxLeaseTtl: 0 }
  readonly accessor = `kv_${randomHex(4)}`
  readonly #keys = new Map<string, KvData>()

  constructor(readonly mount: string) {}

  write(path: string, data: KvData): void {
    this.#keys.set(path, structuredClone(data))
  }

  delete(path: string): void {
    this.#keys.delete(path)
  }

  handle(request: http.VaultRequest, rest: string): http.VaultReply {
    const path = rest.replace(/\/+$/, '')
    if (request.list) return listKeys(this.#keys.keys(), path)
    switch (request.method) {
      case 'GET': {
        const data = this.#keys.get(path)
        if (data === undefined) http.notFound()
        const ttl = parseDuration(data.ttl ?? data.lease)
        return http.ok({
          lease_duration: ttl && ttl > 0 ? ttl : this.tune.defaultLeaseTtl || SYSTEM_TTL,
          data: structuredClone(data),
          mount_type: 'kv',
        })
      }
      case 'POST':
      case 'PUT':
        if (request.body === undefined || Object.keys(request.body).length === 0) {
          throw new http.VaultHttpError(400, ['missing data fields'])
        }
        this.write(path, request.body)
        return http.noContent
      case 'DELETE':
        this.#keys.delete(path)
        return http.noContent
      default:
        return http.unsupported()
    }
  }
}

/**
 * A LIST reply: the keys directly under `path`, with a trailing `/` for folders, sorted; 404 with
 * `{"errors":[]}` when there are none (docs/wire-facts.md#vault-errors-and-status-codes).
 */
function listKeys(names: Iterable<string>, path: string): http.VaultReply {
  const prefix = path === '' ? '' : `${path}/`
  const keys = new Set<string>()
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const rest = name.slice(prefix.length)
    const slash = rest.indexOf('/')
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1))
  }
  if (keys.size === 0) http.notFound()
  return http.ok({ data: { keys: [...keys].sort() }, mount_type: 'kv' })
}
