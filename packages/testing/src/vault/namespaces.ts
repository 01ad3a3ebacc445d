import { randomBase62 } from './format.js'
import * as http from './http.js'
import { KvV1, KvV2 } from './kv.js'

interface NamespaceInfo {
  id: string
  customMetadata: Record<string, string>
}

/**
 * Namespaces and the KV mounts of each (docs/wire-facts.md#vault-namespaces). A namespace comes
 * into being through `sys/namespaces/<path>`, a helper, or the first request that names it; each
 * starts with the default KV mounts (the same names and versions as the root's).
 */
export class Namespaces {
  readonly #kv = new Map<string, Map<string, KvV1 | KvV2>>()
  readonly #info = new Map<string, NamespaceInfo>()
  readonly #ended = new Set<(namespace: string) => void>()

  constructor(readonly defaults: ReadonlyArray<readonly [string, 1 | 2]>) {}

  /** Called with a namespace's path when it is deleted (its tokens and leases go with it). */
  onDelete(listener: (namespace: string) => void): void {
    this.#ended.add(listener)
  }

  /** The KV mounts of a namespace (`''` is the root), made on first use. */
  kv(namespace: string): Map<string, KvV1 | KvV2> {
    let mounts = this.#kv.get(namespace)
    if (mounts === undefined) {
      mounts = new Map(
        this.defaults.map(([mount, version]) => [mount, version === 1 ? new KvV1(mount) : new KvV2(mount)]),
      )
      this.#kv.set(namespace, mounts)
      if (namespace !== '' && !this.#info.has(namespace)) {
        this.#info.set(namespace, { id: randomBase62(5), customMetadata: {} })
      }
    }
    return mounts
  }

  /** The KV mount names of a namespace without creating it. */
  mountNames(namespace: string): string[] {
    return [...(this.#kv.get(namespace)?.keys() ?? this.defaults.map(([name]) => name))]
  }

  #describe(path: string, info: NamespaceInfo): object {
    return { custom_metadata: info.customMetadata, id: info.id, path: `${path}/` }
  }

  /** `sys/namespaces[/<path>]`, relative to the request's namespace `parent`. */
  handle(request: http.VaultRequest, parent: string): http.VaultReply {
    const relative = request.path.replace(/^sys\/namespaces\/?/, '').replace(/^\/+|\/+$/g, '')
    const full = [parent, relative].filter((p) => p !== '').join('/')
    if (relative === '') {
      if (!request.list) http.unsupported()
      const prefix = parent === '' ? '' : `${parent}/`
      const children = [...this.#info].filter(
        ([p]) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'),
      )
      if (children.length === 0) http.notFound()
      const keys = children.map(([p]) => `${p.slice(prefix.length)}/`).sort()
      const keyInfo = Object.fromEntries(
        children.map(([p, info]) => [
          `${p.slice(prefix.length)}/`,
          this.#describe(p.slice(prefix.length), info),
        ]),
      )
      return http.ok({ data: { key_info: keyInfo, keys } })
    }
    switch (request.method) {
      case 'GET': {
        const info = this.#info.get(full)
        if (info === undefined) http.notFound()
        return http.ok({ data: this.#describe(relative, info) })
      }
      case 'POST':
      case 'PUT': {
        const metadata = request.body?.custom_metadata
        if (
          metadata !== undefined &&
          (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
        ) {
          http.badRequest('custom_metadata must be a map of strings')
        }
        this.kv(full)
        const info = this.#info.get(full) as NamespaceInfo
        if (metadata !== undefined) info.customMetadata = { ...(metadata as Record<string, string>) }
        return http.ok({ data: this.#describe(relative, info) })
      }
      case 'DELETE': {
        if (!this.#info.has(full)) return http.noContent
        if ([...this.#info.keys()].some((p) => p.startsWith(`${full}/`))) {
          http.badRequest(`cannot delete namespace ("${relative}/") containing child namespaces`)
        }
        this.#info.delete(full)
        this.#kv.delete(full)
        for (const listener of this.#ended) listener(full)
        return http.noContent
      }
      default:
        return http.unsupported()
    }
  }
}
