// Deliberately alike in every source's errors.ts: the same core error classes, mapped from this service's own codes.
import { InvalidSecretNameError, type SecretError, SecretNotFoundError } from '@latchkey/core'
import { commonSourceError, secretLabel, settledSecretError } from '@latchkey/core/internal'

/** Where a Secret Manager error happened, for the {@link SecretError} it becomes. */
export interface GoogleErrorContext {
  /** The secret being loaded. */
  secretName: string
  /** The source's name. @default 'google-secret-manager' */
  source?: string
  /** The load's signal: when it has fired, its reason (such as a core `SecretTimeoutError`) is the error. */
  signal?: AbortSignal
}

/** The fields of a google-gax (REST or gRPC) error this mapping reads. */
interface GaxLikeError {
  code?: unknown
  httpStatusCode?: unknown
  message?: unknown
  cause?: unknown
}

/** gRPC canonical status codes by number. */
const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const

type Kind = 'notFound' | 'unreadable' | 'denied' | 'invalid' | 'throttled' | 'unavailable'

const BY_CODE: Partial<Record<number, Kind>> = {
  3: 'invalid', // INVALID_ARGUMENT
  5: 'notFound', // NOT_FOUND
  7: 'denied', // PERMISSION_DENIED
  8: 'throttled', // RESOURCE_EXHAUSTED
  9: 'unreadable', // FAILED_PRECONDITION: the version is disabled or destroyed
  16: 'denied', // UNAUTHENTICATED
}

/** HTTP statuses, for errors that carry one but no gRPC code. */
const BY_HTTP: Partial<Record<number, Kind>> = {
  400: 'invalid',
  401: 'denied',
  403: 'denied',
  404: 'notFound',
  429: 'throttled',
}

function statusOf(error: GaxLikeError): { code: number | undefined; http: number | undefined } {
  const code = typeof error.code === 'number' && Number.isInteger(error.code) ? error.code : undefined
  const http = typeof error.httpStatusCode === 'number' ? error.httpStatusCode : undefined
  return { code, http }
}

function kindOf(error: GaxLikeError): Kind {
  const { code, http } = statusOf(error)
  if (code !== undefined && code !== 0) return BY_CODE[code] ?? 'unavailable'
  // DEADLINE_EXCEEDED, UNAVAILABLE, INTERNAL, UNKNOWN, ABORTED, DATA_LOSS, CANCELLED without our
  // signal, 5xx, network errors, replies that could not be decoded, and anything unknown: transient.
  return (http === undefined ? undefined : BY_HTTP[http]) ?? 'unavailable'
}

function codeName(error: GaxLikeError): string {
  const { code, http } = statusOf(error)
  if (code !== undefined && code !== 0) return STATUS_NAMES[code] ?? `code ${code}`
  if (http !== undefined) return `HTTP ${http}`
  return 'no status'
}

/** The version state a FAILED_PRECONDITION names ("… is in DISABLED state."). */
function stateIn(error: GaxLikeError): string | undefined {
  const message = typeof error.message === 'string' ? error.message : ''
  return /\b(DISABLED|DESTROYED)\b/.exec(message)?.[1]
}

/** A name or code as it may be kept: a short identifier, never free text. */
const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,100}$/

/**
 * The `cause` to keep: the error's name, its gRPC code (number and name), its HTTP status and a
 * network error code, and nothing of its message, details or body. A service or proxy may echo
 * request or reply text (a secret value among it) in an error, and an error raised while decoding
 * a reply may quote that reply.
 */
function safeCause(error: unknown): Error {
  const gax = (typeof error === 'object' && error !== null ? error : {}) as GaxLikeError & { name?: unknown }
  const { code, http } = statusOf(gax)
  const name = typeof gax.name === 'string' && IDENTIFIER.test(gax.name) ? gax.name : 'Error'
  const inner = gax.cause as { code?: unknown } | undefined
  const network = [gax.code, inner?.code].find(
    (value): value is string => typeof value === 'string' && /^E[A-Z_]+$/.test(value),
  )
  const status = code === undefined ? undefined : STATUS_NAMES[code]
  const cause = new Error(
    [name, status, http === undefined ? undefined : `HTTP ${http}`, network].filter(Boolean).join(', '),
  )
  cause.name = name
  Object.assign(cause, {
    ...(code === undefined ? {} : { code }),
    ...(http === undefined ? {} : { httpStatusCode: http }),
    ...(network === undefined ? {} : { errno: network }),
  })
  return cause
}

/**
 * Turns an error from `@google-cloud/secret-manager` (its gRPC or REST transport) into a latchkey
 * {@link SecretError}, by the gRPC status code first and the HTTP status second. The message names
 * the status, never the service's text; the original stays as `cause` unless it could hold part
 * of a reply that carried the secret.
 */
export function toGoogleSecretError(error: unknown, context: GoogleErrorContext): SecretError {
  const settled = settledSecretError(error, context.signal)
  if (settled !== undefined) return settled
  const source = context.source ?? 'google-secret-manager'
  const gax = (typeof error === 'object' && error !== null ? error : {}) as GaxLikeError
  const options = { secretName: context.secretName, source, cause: safeCause(error) }
  const what = secretLabel(context.secretName, source)
  const code = codeName(gax)
  const kind = kindOf(gax)
  switch (kind) {
    case 'notFound':
      return new SecretNotFoundError(options, `${what} was not found (${code})`)
    case 'unreadable': {
      const state = stateIn(gax)
      return new SecretNotFoundError(
        options,
        state === undefined
          ? `${what} cannot be read (${code}: the version is disabled or destroyed)`
          : `${what} cannot be read (${code}: the version is ${state})`,
      )
    }
    // denied/throttled/unavailable are worded as in the other sources (core's commonSourceError): one voice for users.
    case 'denied':
    case 'throttled':
      return commonSourceError(kind, options, what, code)
    case 'invalid':
      return new InvalidSecretNameError(
        `Secret Manager rejected the request for "${context.secretName}" (${code})`,
        options,
      )
    default:
      return commonSourceError('unavailable', options, what, code, context.signal)
  }
}
