import type { EmulatorFaults } from '../shared/fault-control.js'
import { checkFault, ScopedFaults } from '../shared/fault-control.js'
import { invalid } from '../shared/fault-plan.js'
import type { Reply } from '../shared/http-server.js'
import { errorBody, type GoogleStatus, isGoogleStatus } from './errors.js'

/** The REST methods the emulator serves, by their RPC name. */
export const RPCS = [
  'AccessSecretVersion',
  'GetSecretVersion',
  'AddSecretVersion',
  'CreateSecret',
  'GetSecret',
  'DeleteSecret',
  'DisableSecretVersion',
  'EnableSecretVersion',
  'DestroySecretVersion',
] as const

/** One of {@link RPCS}. */
export type GoogleSecretManagerRpc = (typeof RPCS)[number]

/**
 * A named failure, each the JSON error body the service (or its front end) sends:
 * - `'resourceExhausted'`: 429 `RESOURCE_EXHAUSTED` (quota exceeded)
 * - `'unavailable'`: 503 `UNAVAILABLE`
 * - `'internal'`: 500 `INTERNAL`
 * - `'deadlineExceeded'`: 504 `DEADLINE_EXCEEDED`
 * - `'permissionDenied'`: 403 `PERMISSION_DENIED`
 * - `'unauthenticated'`: 401 `UNAUTHENTICATED`
 * - `'proxyUnavailable'`: 503 with an HTML body, as a proxy in front of the service sends it (not JSON)
 * - `'checksumMismatch'`: an `AccessSecretVersion` answered 200 with the real payload and a wrong
 *   `dataCrc32c` (other methods run normally)
 * - `'invalidBase64'`: a lying reply. An `AccessSecretVersion` answered 200 with `payload.data`
 *   that is not base64 (its first character replaced by `*`, outside the alphabet) and the real
 *   payload's `dataCrc32c`, as a proxy that mangles bodies would send it
 */
export type GoogleFaultKind =
  | 'resourceExhausted'
  | 'unavailable'
  | 'internal'
  | 'deadlineExceeded'
  | 'permissionDenied'
  | 'unauthenticated'
  | 'proxyUnavailable'
  | 'checksumMismatch'
  | 'invalidBase64'

const FAULT_KINDS: readonly GoogleFaultKind[] = [
  'resourceExhausted',
  'unavailable',
  'internal',
  'deadlineExceeded',
  'permissionDenied',
  'unauthenticated',
  'proxyUnavailable',
  'checksumMismatch',
  'invalidBase64',
]

/**
 * Any other reply: a JSON error with a canonical `status` (`{ status: 400, code: 'FAILED_PRECONDITION' }`),
 * an empty body (`{ status: 500 }`), or a raw `body`, such as a truncated 200 reply.
 */
export interface GoogleCustomFault {
  /** HTTP status: an integer from 200 to 599. */
  status: number
  /** The canonical status name of a JSON error body, such as `'NOT_FOUND'`. */
  code?: GoogleStatus
  /** The error `message`. @default '' */
  message?: string
  /** A raw body, sent as is instead of a JSON error body. */
  body?: string
  /** Content type for `body`. @default 'application/json; charset=UTF-8' */
  contentType?: string
}

/** Which calls a fault applies to. */
export interface GoogleFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this RPC match. @default every RPC */
  rpc?: GoogleSecretManagerRpc
}

/** Fault injection for a running Google Secret Manager emulator, scoped by RPC (see {@link EmulatorFaults}). */
export type GoogleSecretManagerFaults = EmulatorFaults<
  GoogleFaultKind | GoogleCustomFault,
  GoogleFaultOptions,
  { rpc?: GoogleSecretManagerRpc }
>

/** What a faulted call does instead of running. */
export type GoogleFaultAction =
  | { kind: 'fail'; fault: GoogleFaultKind | GoogleCustomFault }
  | { kind: 'drop' }

const VOCABULARY = {
  kinds: FAULT_KINDS,
  errorMember: 'code',
  checkError: (option: string, value: unknown) => {
    if (value !== undefined && !isGoogleStatus(value)) {
      invalid(option, value, "a canonical status name such as 'NOT_FOUND'")
    }
    return value
  },
} as const

// Alike in each emulator on purpose: the queueing is shared; each plan names its own scope, calls and fault vocabulary.
/** The emulator's faults: checks what is added, then queues it in the shared fault plan. */
export class GoogleFaultPlan
  extends ScopedFaults<GoogleSecretManagerRpc, 'rpc', GoogleFaultAction>
  implements GoogleSecretManagerFaults
{
  constructor() {
    super('rpc', RPCS)
  }

  fail(fault: GoogleFaultKind | GoogleCustomFault, options: GoogleFaultOptions = {}): void {
    this.queue({ kind: 'fail', fault: checkFault(VOCABULARY, fault) }, options)
  }
}

export const JSON_TYPE = 'application/json; charset=UTF-8'

export function jsonReply(status: number, value: unknown): Reply {
  return { status, contentType: JSON_TYPE, body: JSON.stringify(value) }
}

const PROXY_UNAVAILABLE_HTML =
  '<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 503 (Service Unavailable)</title>\n' +
  '<p><b>503.</b> <ins>That’s an error.</ins>\n<p>The service is temporarily unavailable.\n'

/** The reply a failing fault sends instead of running the call (not used for `'checksumMismatch'` and `'invalidBase64'`). */
export function faultReply(
  fault: Exclude<GoogleFaultKind, 'checksumMismatch' | 'invalidBase64'> | GoogleCustomFault,
  resource: string,
): Reply {
  switch (fault) {
    case 'resourceExhausted':
      return jsonReply(
        429,
        errorBody(
          'RESOURCE_EXHAUSTED',
          "Quota exceeded for quota metric 'Access requests' and limit 'Access requests per minute per project'.",
        ),
      )
    case 'unavailable':
      return jsonReply(503, errorBody('UNAVAILABLE', 'The service is currently unavailable.'))
    case 'internal':
      return jsonReply(500, errorBody('INTERNAL', 'Internal error encountered.'))
    case 'deadlineExceeded':
      return jsonReply(
        504,
        errorBody('DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'),
      )
    case 'permissionDenied':
      return jsonReply(
        403,
        errorBody(
          'PERMISSION_DENIED',
          `Permission 'secretmanager.versions.access' denied for resource '${resource}' (or it may not exist).`,
        ),
      )
    case 'unauthenticated':
      return jsonReply(
        401,
        errorBody(
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
        ),
      )
    case 'proxyUnavailable':
      return { status: 503, contentType: 'text/html; charset=UTF-8', body: PROXY_UNAVAILABLE_HTML }
    default:
      if (fault.body !== undefined) {
        return { status: fault.status, contentType: fault.contentType ?? JSON_TYPE, body: fault.body }
      }
      if (fault.code === undefined) return { status: fault.status, contentType: JSON_TYPE, body: '' }
      return jsonReply(fault.status, errorBody(fault.code, fault.message ?? '', fault.status))
  }
}
