import { InvalidOptionsError } from '@latchkey/core'
import type { VaultAuth } from './auth.js'
import type { NodeVaultClient, VaultConnectionOptions } from './session.js'

/** The longest delay a Node.js timer takes (2^31 − 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647

/** A delay safe to hand to `setTimeout`: 0 … {@link MAX_TIMER_MS}. */
export function timerDelay(ms: number): number {
  return Math.max(0, Math.min(Number.isFinite(ms) ? ms : MAX_TIMER_MS, MAX_TIMER_MS))
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  // Never the text itself: a token pasted into the wrong option must not end up in a message.
  return typeof value === 'string' ? `a string of ${value.length} characters` : typeof value
}

function invalid(source: string, option: string, value: unknown, expected: string): never {
  throw new InvalidOptionsError(`${source}: option ${option} must be ${expected} (got ${typeOf(value)})`)
}

/** `value` when it is a non-empty string or undefined (and `optional`); throws naming `option` otherwise. */
export function checkString(
  source: string,
  option: string,
  value: unknown,
  optional = true,
): string | undefined {
  if (value === undefined && optional) return undefined
  if (typeof value !== 'string' || value === '') invalid(source, option, value, 'a non-empty string')
  return value
}

/** `value` when it is a boolean or undefined; throws naming `option` otherwise. */
export function checkBoolean(source: string, option: string, value: unknown): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value
  return invalid(source, option, value, 'true or false')
}

/**
 * An `http://` or `https://` URL (node-vault's `endpoint`); `from` names where it came from (the
 * `endpoint` option or `VAULT_ADDR`). Anything else would only fail at the first request, as an outage.
 */
export function checkEndpoint(source: string, from: string, value: unknown): string {
  const expected = "an http:// or https:// URL such as 'https://vault.internal:8200'"
  if (typeof value !== 'string' || value === '') return invalid(source, from, value, expected)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return invalid(source, from, value, expected)
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
    return invalid(source, from, value, expected)
  }
  return value
}

function checkAuth(auth: unknown, source: string): void {
  const given = (typeof auth === 'object' && auth !== null ? auth : {}) as Record<string, unknown>
  switch (given.type) {
    case 'token':
      checkString(source, 'auth.token', given.token, false)
      checkBoolean(source, 'auth.renew', given.renew)
      return
    case 'approle':
      checkString(source, 'auth.roleId', given.roleId, false)
      checkString(source, 'auth.secretId', given.secretId)
      checkString(source, 'auth.mount', given.mount)
      return
    case 'kubernetes':
      checkString(source, 'auth.role', given.role, false)
      checkString(source, 'auth.jwt', given.jwt)
      checkString(source, 'auth.jwtPath', given.jwtPath)
      checkString(source, 'auth.mount', given.mount)
      return
    default:
      throw new InvalidOptionsError(
        `${source}: option auth must be { type: 'token', token }, { type: 'approle', roleId, secretId? } or { type: 'kubernetes', role }`,
      )
  }
}

/**
 * The option names of {@link VaultConnectionOptions}, which every Vault source accepts; each
 * source spreads them into its own list for `checkSourceOptionNames`.
 */
export const CONNECTION_OPTION_KEYS: { readonly [K in keyof VaultConnectionOptions]-?: true } = {
  client: true,
  endpoint: true,
  auth: true,
  namespace: true,
  logger: true,
}

/** What {@link resolveConnectionOptions} settles: the endpoint and namespace the source uses. */
export interface ConnectionSettings {
  /** The endpoint to build a client for (undefined with `client`). */
  endpoint: string | undefined
  /** The namespace every call carries, if any. */
  namespace: string | undefined
}

/**
 * Checks every connection option and settles the endpoint and namespace; throws
 * {@link InvalidOptionsError} naming the option for anything that cannot work.
 *
 * Namespace: the `namespace` option wins over `VAULT_NAMESPACE`; without the option the variable
 * applies, as for the Vault CLI. A given `client` already carries a namespace (its config or
 * `VAULT_NAMESPACE` when it was built), which node-vault writes over the per-request header, so
 * a `namespace` option that differs from it is refused.
 */
export function resolveConnectionOptions(
  options: VaultConnectionOptions | undefined,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): ConnectionSettings {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionsError(
      `${source}: pass options such as { endpoint, auth: { type: 'token', token } }`,
    )
  }
  if (options.client !== undefined && options.endpoint !== undefined) {
    throw new InvalidOptionsError(`${source}: pass either option client or option endpoint, not both`)
  }
  const client = options.client as NodeVaultClient | undefined
  if (
    client !== undefined &&
    (typeof client !== 'object' || client === null || typeof client.read !== 'function')
  ) {
    invalid(source, 'client', client, 'a node-vault client')
  }
  checkAuth(options.auth as VaultAuth | undefined, source)
  const logger = options.logger as { warn?: unknown } | undefined
  if (
    logger !== undefined &&
    (typeof logger !== 'object' || logger === null || typeof logger.warn !== 'function')
  ) {
    invalid(source, 'logger', logger, 'an object with a warn(message, meta) method')
  }
  const option = checkString(source, 'namespace', options.namespace)
  if (client !== undefined) {
    const own = (client as { namespace?: unknown }).namespace
    const carried = typeof own === 'string' && own !== '' ? own : undefined
    if (option !== undefined && carried !== undefined && carried !== option) {
      throw new InvalidOptionsError(
        `${source}: option namespace is "${option}" but the given client sends "${carried}" on every call (node-vault writes client.namespace, from its config or VAULT_NAMESPACE, over the request header); build the client with namespace "${option}" or leave the option out`,
      )
    }
    return { endpoint: undefined, namespace: option ?? carried }
  }
  const endpoint =
    options.endpoint !== undefined
      ? checkEndpoint(source, 'endpoint', options.endpoint)
      : env.VAULT_ADDR !== undefined && env.VAULT_ADDR !== ''
        ? checkEndpoint(source, 'endpoint (from VAULT_ADDR)', env.VAULT_ADDR)
        : undefined
  const fromEnv =
    env.VAULT_NAMESPACE !== undefined && env.VAULT_NAMESPACE !== '' ? env.VAULT_NAMESPACE : undefined
  return { endpoint, namespace: option ?? fromEnv }
}
