import {
  ErrorCode,
  SecretAccessDeniedError,
  SecretError,
  type SecretErrorOptions,
  SecretNotFoundError,
  SecretThrottledError,
  SecretUnavailableError,
} from '@latchkey/core'

/**
 * Vault's own error texts that latchkey keeps (docs/wire-facts.md#vault-errors-and-status-codes).
 * Any other text in an answer is dropped: a proxy or a plugin may echo a request or a value in it.
 */
export const KNOWN_VAULT_ERRORS = [
  'permission denied',
  'invalid token',
  'Vault is sealed',
  'rate limit quota exceeded',
  'lease count quota exceeded',
  'unknown role',
  'invalid role or secret ID',
  'invalid role name',
  'missing role_id',
  'missing secret_id',
  'missing role',
  'missing jwt',
  'lease not found',
  'lease expired',
  'lease is not renewable',
  'required index state not present',
  'local node not active but active cluster node not found',
  'http: request body too large',
  'internal error',
  'unsupported operation',
  'no handler for route',
] as const

/**
 * The `cause` of every error a Vault source raises: what Vault (or the network) said, copied by
 * field and cleaned. node-vault's own errors are not kept, because axios errors carry the request
 * config, `X-Vault-Token` header included; Vault's error texts are kept only when they are ones
 * Vault itself writes ({@link KNOWN_VAULT_ERRORS}), never free text a proxy or plugin sent.
 *
 * A `SecretError` with `code` `'ERR_VAULT_REQUEST'`, but never the classification itself: it
 * describes one HTTP exchange, and {@link classifyVaultError} maps it to the catalogue code by
 * status. `transient` follows the same table (no response, 408, 412, 429 and 5xx are transient).
 */
export class VaultRequestError extends SecretError {
  static override readonly code = ErrorCode.VAULT_REQUEST
  /** HTTP status; absent when no response came back. */
  readonly statusCode?: number
  /** The network error code, such as `'ECONNREFUSED'`, when no response came back. */
  readonly networkCode?: string
  /** The known Vault error texts in the answer ({@link KNOWN_VAULT_ERRORS}; empty for a bare 404). */
  readonly errors: readonly string[]

  constructor(
    message: string,
    fields: {
      statusCode?: number
      networkCode?: string
      errors?: readonly string[]
      transient?: boolean
    } = {},
  ) {
    super(ErrorCode.VAULT_REQUEST, message, fields.transient ?? transientStatus(fields.statusCode))
    if (fields.statusCode !== undefined) this.statusCode = fields.statusCode
    if (fields.networkCode !== undefined) this.networkCode = fields.networkCode
    this.errors = fields.errors ?? []
  }

  // spelled out so that a bundler renaming the class cannot change what logs show
  override get name(): string {
    return 'VaultRequestError'
  }
}

/** Whether a request that got `status` (or no response) may succeed when tried again. */
function transientStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 412 || status === 429 || status >= 500
}

interface ErrorShape {
  message?: unknown
  code?: unknown
  response?: { statusCode?: unknown; body?: unknown }
}

/** The HTTP status of a node-vault rejection (`err.response.statusCode`, docs/wire-facts.md#vault-node-vault-client). */
export function statusOf(error: unknown): number | undefined {
  const status = (error as ErrorShape | undefined)?.response?.statusCode
  return typeof status === 'number' ? status : undefined
}

/** The known texts in an answer's `errors` array, in {@link KNOWN_VAULT_ERRORS} order, each once. */
function knownErrors(body: unknown): { known: string[]; dropped: boolean } {
  const errors = (body as { errors?: unknown } | undefined)?.errors
  const texts = Array.isArray(errors) ? errors.filter((e): e is string => typeof e === 'string') : []
  const known = KNOWN_VAULT_ERRORS.filter((k) => texts.some((t) => t.includes(k)))
  const dropped = texts.some((t) => t.trim() !== '' && !KNOWN_VAULT_ERRORS.some((k) => t.includes(k)))
  return { known, dropped }
}

/** Network error codes look like `ECONNREFUSED`, `ERR_SOCKET_CONNECTION_TIMEOUT`: anything else is not kept. */
function networkCodeOf(code: unknown): string | undefined {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? code : undefined
}

/** A field-by-field, cleaned copy of a node-vault or network error, safe to keep as `cause`. */
export function toVaultRequestError(error: unknown): VaultRequestError {
  if (error instanceof VaultRequestError) return error
  const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape
  const statusCode = statusOf(error)
  if (statusCode !== undefined) {
    const { known, dropped } = knownErrors(shape.response?.body)
    const parts = [...known, ...(dropped ? ['other error text not kept'] : [])]
    const text = parts.length > 0 ? ` (${parts.join('; ')})` : ''
    return new VaultRequestError(`Vault answered ${statusCode}${text}`, { statusCode, errors: known })
  }
  const networkCode = networkCodeOf(shape.code)
  return new VaultRequestError(
    `request to Vault failed (${networkCode ?? 'no response'})`,
    networkCode === undefined ? {} : { networkCode },
  )
}

/** True when the KV v2 reply says the version was soft-deleted or destroyed (404 with an envelope). */
function deletedVersion(error: unknown): { version?: unknown; destroyed?: unknown } | undefined {
  const metadata = (error as { response?: { body?: { data?: { metadata?: Record<string, unknown> } } } })
    ?.response?.body?.data?.metadata
  if (metadata === undefined || metadata === null) return undefined
  return metadata.destroyed === true ||
    (typeof metadata.deletion_time === 'string' && metadata.deletion_time !== '')
    ? metadata
    : undefined
}

/**
 * Maps a Vault failure to a latchkey error by HTTP status (docs/wire-facts.md#vault-errors-and-status-codes): 403 → access
 * denied; 404 → not found (also soft-deleted or destroyed KV versions); 400 `unknown role` → not
 * found; other 4xx → access denied (Vault refused the request; retrying will not help);
 * 429 → throttled; 408, 412 and 5xx (503 sealed included) → unavailable; no response → unavailable.
 */
export function classifyVaultError(
  error: unknown,
  context: { secretName: string; source: string },
): SecretError {
  // a VaultRequestError is a SecretError too, but only a cause: it is classified by its status
  if (error instanceof SecretError && !(error instanceof VaultRequestError)) return error
  const cause = toVaultRequestError(error)
  const options: SecretErrorOptions = { ...context, cause }
  const status = cause.statusCode
  if (status === undefined) return new SecretUnavailableError(options)
  if (status === 404) {
    const deleted = deletedVersion(error)
    if (deleted === undefined) return new SecretNotFoundError(options)
    const how = deleted.destroyed === true ? 'destroyed' : 'deleted'
    return new SecretNotFoundError(
      options,
      `secret "${context.secretName}" (source ${context.source}): version ${String(deleted.version)} was ${how}`,
    )
  }
  if (status === 403) return new SecretAccessDeniedError(options)
  if (status === 429) return new SecretThrottledError(options)
  if (status === 408 || status === 412 || status >= 500) return new SecretUnavailableError(options)
  if (status === 400 && cause.errors.includes('unknown role')) return new SecretNotFoundError(options)
  return new SecretAccessDeniedError(
    options,
    `Vault refused the request for secret "${context.secretName}" (source ${context.source}) with status ${status}`,
  )
}

/**
 * A 2xx answer that is not what the endpoint returns (an HTML page from a proxy, truncated or
 * empty JSON, a body without the expected fields). Transient: the next attempt may get a proper
 * answer, and the cache keeps serving the last good value meanwhile. The body is never quoted:
 * a cut-off reply may hold part of a secret.
 */
export function malformedReply(
  context: { secretName: string; source: string },
  expected: string,
): SecretUnavailableError {
  const cause = new VaultRequestError(`Vault answered 200 with a body that is not ${expected}`, {
    statusCode: 200,
    transient: true,
  })
  return new SecretUnavailableError(
    { ...context, cause },
    `secret "${context.secretName}" (source ${context.source}): Vault's answer was malformed (not ${expected}); treated as transient`,
  )
}
