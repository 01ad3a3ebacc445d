// Deliberately alike in every source's errors.ts: the same core error classes, mapped from this service's own codes.
import {
  InvalidSecretNameError,
  SecretAccessDeniedError,
  type SecretError,
  SecretNotFoundError,
  SecretUnavailableError,
} from '@latchkey/core'
import { commonSourceError, secretLabel, settledSecretError } from '@latchkey/core/internal'

/** Where an Azure error happened, for the {@link SecretError} it becomes. */
export interface AzureErrorContext {
  /** The secret being loaded (as the caller named it). */
  secretName: string
  /** The Key Vault name it maps to, for the recovery hint. */
  keyVaultName?: string
  /** The vault's URL, for the recovery hint. */
  vaultUrl?: string
  /** The source's name. @default 'azure-key-vault' */
  source?: string
  /** The load's signal: when it has fired, its reason (such as a core `SecretTimeoutError`) is the error. */
  signal?: AbortSignal
}

/** The fields of a `RestError` (from `@azure/core-rest-pipeline`) and of identity errors this mapping reads. */
interface AzureLikeError {
  name?: unknown
  code?: unknown
  statusCode?: unknown
  details?: { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } }
  response?: { headers?: { get?(name: string): string | undefined } }
}

const DENIED_CODES = new Set([
  'Forbidden',
  'Unauthorized',
  'AccessDenied',
  'ForbiddenByPolicy',
  'ForbiddenByFirewall',
  'ForbiddenByRbac',
  'ForbiddenByConnection',
])
/** Errors `@azure/identity` throws when no credential works, or the token endpoint refuses one. */
const CREDENTIAL_ERRORS = new Set([
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'AggregateAuthenticationError',
])

function innerCode(error: AzureLikeError): string | undefined {
  const inner = error.details?.error?.innerError?.code ?? error.details?.error?.innererror?.code
  return typeof inner === 'string' ? inner : undefined
}

function retryAfter(error: AzureLikeError): string | undefined {
  try {
    const value = error.response?.headers?.get?.('retry-after')
    return typeof value === 'string' && /^[\w ,:+-]{1,64}$/.test(value) ? value : undefined
  } catch {
    return undefined
  }
}

/** A name or code as it may be kept: a short identifier, never free text. */
const IDENTIFIER = /^[A-Za-z0-9_.:-]{1,100}$/

/**
 * The `cause` to keep: the error's name, the service's `code` and inner code, and the HTTP
 * status, and nothing of its message, details or body. A service or proxy may echo request or
 * reply text (a secret value among it) in an error body, which `RestError` quotes and keeps on
 * `response`, and a reply that failed to parse carries its body.
 */
function safeCause(error: AzureLikeError): Error {
  const name = typeof error.name === 'string' && IDENTIFIER.test(error.name) ? error.name : 'Error'
  const code = typeof error.code === 'string' && IDENTIFIER.test(error.code) ? error.code : undefined
  const inner = innerCode(error)
  const innerKept = inner !== undefined && IDENTIFIER.test(inner) ? inner : undefined
  const status = typeof error.statusCode === 'number' ? error.statusCode : undefined
  const cause = new Error(
    [name, code, innerKept, status === undefined ? undefined : `HTTP ${status}`].filter(Boolean).join(', '),
  )
  cause.name = name
  Object.assign(cause, {
    ...(code === undefined ? {} : { code }),
    ...(status === undefined ? {} : { statusCode: status }),
  })
  return cause
}

/**
 * Turns an error from `@azure/keyvault-secrets` (a `RestError`) or `@azure/identity` into a
 * latchkey {@link SecretError}, by the service's `error.code` and inner code first, HTTP status
 * second. The original stays as `cause` unless it could carry text from a successful reply.
 */
export function toAzureSecretError(error: unknown, context: AzureErrorContext): SecretError {
  const settled = settledSecretError(error, context.signal)
  if (settled !== undefined) return settled
  const source = context.source ?? 'azure-key-vault'
  const azure = (typeof error === 'object' && error !== null ? error : {}) as AzureLikeError
  const options = { secretName: context.secretName, source, cause: safeCause(azure) }
  const what = secretLabel(context.secretName, source)
  const name = typeof azure.name === 'string' ? azure.name : ''
  const code = typeof azure.code === 'string' ? azure.code : ''
  const status = typeof azure.statusCode === 'number' ? azure.statusCode : undefined
  const inner = innerCode(azure)
  const label = [code || name || 'error', inner, status === undefined ? undefined : `HTTP ${status}`]
    .filter(Boolean)
    .join(', ')

  if (CREDENTIAL_ERRORS.has(name)) {
    return new SecretAccessDeniedError(
      options,
      `no Azure credential could get a token for ${what} (${name}); configure one of DefaultAzureCredential's sources (environment, workload identity, managed identity, Azure CLI) or pass { credential }`,
    )
  }
  if (name === 'AuthenticationError') {
    return status !== undefined && status >= 500
      ? new SecretUnavailableError(
          options,
          `the Azure token endpoint is unavailable while loading ${what} (${label})`,
        )
      : new SecretAccessDeniedError(
          options,
          `the Azure token endpoint refused the credential for ${what} (${label})`,
        )
  }
  if (status === 404 || code === 'SecretNotFound') {
    const kvName = context.keyVaultName ?? context.secretName
    const vault = context.vaultUrl === undefined ? '' : ` --vault-name ${vaultNameOf(context.vaultUrl)}`
    return new SecretNotFoundError(
      options,
      `${what} was not found (${label}); if "${kvName}" was deleted recently it may be soft-deleted and recoverable: az keyvault secret recover${vault} --name ${kvName}`,
    )
  }
  if (inner === 'SecretDisabled') {
    return new SecretAccessDeniedError(
      options,
      `${what} is disabled in Key Vault (${label}); enable the version or set a new one`,
    )
  }
  if (status === 401 || status === 403 || DENIED_CODES.has(code)) {
    return commonSourceError('denied', options, what, label)
  }
  if (status === 429 || code === 'Throttled') {
    const after = retryAfter(azure)
    const wait = after === undefined ? '' : `; the service asked to retry after ${after} s`
    return commonSourceError('throttled', options, what, `${label}${wait}`)
  }
  if (status === 400 && code === 'BadParameter') {
    return new InvalidSecretNameError(
      `Key Vault rejected the request for "${context.secretName}" (${label})`,
      options,
    )
  }
  // 5xx, 408, network errors (ECONNRESET, REQUEST_SEND_ERROR), replies that failed to parse,
  // aborts and anything unknown: transient.
  return commonSourceError('unavailable', options, what, label, context.signal)
}

/** `myvault` from `https://myvault.vault.azure.net`. */
function vaultNameOf(vaultUrl: string): string {
  try {
    return new URL(vaultUrl).hostname.split('.')[0] ?? '<vault>'
  } catch {
    return '<vault>'
  }
}
