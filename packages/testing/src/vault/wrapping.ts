import { parseDuration, randomBase62, randomToken, timestamp } from './format.js'
import { badRequest, noRoute, ok, type VaultReply, type VaultRequest } from './http.js'

/** Vault's answer to a wrapping token that was used, expired or never issued. */
export const INVALID_WRAPPING_TOKEN = 'wrapping token is not valid or does not exist'

interface Wrapped {
  token: string
  accessor: string
  ttl: number
  createdAt: number
  creationPath: string
  /** The accessor of a token the wrapped answer holds (`auth.accessor`), else `''`. */
  wrappedAccessor: string
  reply: VaultReply
}

/** The `X-Vault-Wrap-TTL` header in seconds, or undefined without one; 400 for a bad value. */
export function wrapTtlOf(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value.trim() === '') return undefined
  const ttl = parseDuration(value)
  // Go's time.ParseDuration text, behind the HTTP layer's prefix.
  if (ttl === undefined)
    badRequest(`error parsing X-Vault-Wrap-TTL header: time: invalid duration ${JSON.stringify(value)}`)
  return ttl === 0 ? undefined : ttl
}

const WRAPPING_PATHS = new Set([
  'sys/wrapping/wrap',
  'sys/wrapping/unwrap',
  'sys/wrapping/lookup',
  'sys/wrapping/rewrap',
])

/**
 * Response wrapping (docs/wire-facts.md#vault-response-wrapping): an answer is kept under a
 * single-use wrapping token with a TTL, and the caller gets only `wrap_info`.
 */
export class Wrapping {
  readonly #byToken = new Map<string, Wrapped>()

  isPath(path: string): boolean {
    return WRAPPING_PATHS.has(path)
  }

  /** A live wrapping token, or undefined. */
  #live(token: string): Wrapped | undefined {
    const wrapped = this.#byToken.get(token)
    if (wrapped === undefined) return undefined
    if (Date.now() >= wrapped.createdAt + wrapped.ttl * 1000) {
      this.#byToken.delete(token)
      return undefined
    }
    return wrapped
  }

  /** Whether `token` is a live wrapping token (so it may call `unwrap`/`rewrap` itself). */
  holds(token: string): boolean {
    return this.#live(token) !== undefined
  }

  /** Keeps a 200 answer under a new wrapping token and answers its `wrap_info` instead. */
  wrap(reply: VaultReply, ttl: number, creationPath: string): VaultReply {
    const auth = (reply.body as { auth?: { accessor?: unknown } } | undefined)?.auth
    const wrapped: Wrapped = {
      token: randomToken(),
      accessor: randomBase62(24),
      ttl,
      createdAt: Date.now(),
      creationPath,
      wrappedAccessor: typeof auth?.accessor === 'string' ? auth.accessor : '',
      reply,
    }
    this.#byToken.set(wrapped.token, wrapped)
    return ok({ wrap_info: this.#info(wrapped) })
  }

  #info(wrapped: Wrapped): object {
    return {
      token: wrapped.token,
      accessor: wrapped.accessor,
      ttl: wrapped.ttl,
      creation_time: timestamp(wrapped.createdAt),
      creation_path: wrapped.creationPath,
      ...(wrapped.wrappedAccessor === '' ? {} : { wrapped_accessor: wrapped.wrappedAccessor }),
    }
  }

  /**
   * `sys/wrapping/*`. `clientToken` is the request's token when it is itself a wrapping token
   * (unwrap and rewrap accept it in place of the `token` field); `wrapTtl` is the request's
   * `X-Vault-Wrap-TTL`.
   */
  handle(request: VaultRequest, clientToken: string | undefined, wrapTtl: number | undefined): VaultReply {
    if (request.method !== 'POST' && request.method !== 'PUT') return noRoute(request.path)
    const action = request.path.slice('sys/wrapping/'.length)
    if (action === 'wrap') {
      if (wrapTtl === undefined) badRequest('endpoint requires response wrapping to be used')
      return ok({ data: request.body ?? {} })
    }
    const fromBody = typeof request.body?.token === 'string' ? request.body.token : ''
    const id = fromBody !== '' ? fromBody : (clientToken ?? '')
    const wrapped = this.#live(id)
    if (wrapped === undefined) badRequest(INVALID_WRAPPING_TOKEN)
    switch (action) {
      case 'lookup':
        return ok({
          data: {
            creation_path: wrapped.creationPath,
            creation_time: timestamp(wrapped.createdAt),
            creation_ttl: wrapped.ttl,
          },
        })
      case 'unwrap':
        this.#byToken.delete(wrapped.token)
        return wrapped.reply
      default: {
        // rewrap: the same answer under a new token; the old one stops working.
        this.#byToken.delete(wrapped.token)
        return this.wrap(wrapped.reply, wrapped.ttl, wrapped.creationPath)
      }
    }
  }
}
