import type { EmulatorFaults } from '../shared/fault-control.js'
import { checkFault, ScopedFaults } from '../shared/fault-control.js'
import { invalid } from '../shared/fault-plan.js'

/** The REST operations the emulator serves, by the names the SDK's generated client uses. */
export const KEY_VAULT_OPERATIONS = [
  'getSecret',
  'getSecrets',
  'getSecretVersions',
  'setSecret',
  'updateSecret',
  'deleteSecret',
  'getDeletedSecret',
  'recoverDeletedSecret',
  'purgeDeletedSecret',
] as const

/** One of {@link KEY_VAULT_OPERATIONS}. */
export type KeyVaultOperation = (typeof KEY_VAULT_OPERATIONS)[number]

/**
 * A named failure:
 * - `'throttled'`: 429 `Throttled` with `Retry-After` (seconds, `retryAfter` option, default 1)
 * - `'internal'`: 500 `InternalServerError`
 * - `'unavailable'`: 503 `ServiceUnavailable` with `Retry-After`
 * - `'forbidden'`: 403 `Forbidden`, as when the caller's identity lacks the `get` permission
 * - `'unauthorized'`: 401 `Unauthorized` for a request that did carry a token (a token the
 *   service refused, such as one issued before a role assignment propagated)
 * - `'enabledString'`: a lying reply. The call runs, and its 200 reply carries
 *   `attributes.enabled` as the string `"false"` instead of a boolean, as a misbehaving proxy might
 */
export type KeyVaultFaultKind =
  | 'throttled'
  | 'internal'
  | 'unavailable'
  | 'forbidden'
  | 'unauthorized'
  | 'enabledString'

/** Any other reply: a Key Vault error body, an empty body, or a raw `body` (e.g. a cut-off 200). */
export interface KeyVaultCustomFault {
  /** HTTP status: an integer from 200 to 599. */
  status: number
  /** `error.code` of a JSON error body; without it (and without `body`) the body is empty. */
  code?: string
  /** `error.message` of the JSON error body. @default '' */
  message?: string
  /** A raw body sent as is. */
  body?: string
  /** Content type of `body`. @default 'application/json; charset=utf-8' */
  contentType?: string
  /** A `Retry-After` header value in seconds. */
  retryAfter?: number
}

/** Which calls a fault applies to. */
export interface KeyVaultFaultOptions {
  /** How many matching calls it affects; `Infinity` lasts until `reset()`. @default 1 */
  times?: number
  /** Only calls of this operation match. @default every operation */
  operation?: KeyVaultOperation
  /** `Retry-After` seconds for `'throttled'` and `'unavailable'`. @default 1 */
  retryAfter?: number
}

/**
 * Fault injection for a running Key Vault emulator, scoped by operation (see {@link EmulatorFaults}).
 * Faults apply to requests that passed the bearer-token check (the challenge round trip itself is
 * never faulted).
 */
export type KeyVaultFaults = EmulatorFaults<
  KeyVaultFaultKind | KeyVaultCustomFault,
  KeyVaultFaultOptions,
  { operation?: KeyVaultOperation },
  Omit<KeyVaultFaultOptions, 'retryAfter'>
>

export type KeyVaultFaultAction =
  | { kind: 'fail'; fault: KeyVaultFaultKind | KeyVaultCustomFault; retryAfter: number }
  | { kind: 'drop' }

const KINDS: readonly KeyVaultFaultKind[] = [
  'throttled',
  'internal',
  'unavailable',
  'forbidden',
  'unauthorized',
  'enabledString',
]

function checkSeconds(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 86_400) {
    invalid(option, value, 'an integer number of seconds from 0 to 86400')
  }
  return value
}

const VOCABULARY = {
  kinds: KINDS,
  errorMember: 'code',
  checkExtra: (given: Record<string, unknown>) => {
    const retryAfter = checkSeconds('faults.fail retryAfter', given.retryAfter)
    return retryAfter === undefined ? {} : { retryAfter }
  },
} as const

/** The emulator's faults, queued in the shared fault plan. */
export class KeyVaultFaultPlan
  extends ScopedFaults<KeyVaultOperation, 'operation', KeyVaultFaultAction>
  implements KeyVaultFaults
{
  constructor() {
    super('operation', KEY_VAULT_OPERATIONS)
  }

  fail(fault: KeyVaultFaultKind | KeyVaultCustomFault, options: KeyVaultFaultOptions = {}): void {
    const retryAfter = checkSeconds('faults option retryAfter', options.retryAfter) ?? 1
    this.queue({ kind: 'fail', fault: checkFault(VOCABULARY, fault), retryAfter }, options)
  }
}
