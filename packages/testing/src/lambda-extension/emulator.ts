import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { callLog } from '../shared/call-log.js'
import { invalid } from '../shared/fault-plan.js'
import { closer, httpEndpoint, listen } from '../shared/http-server.js'
import type { ExtensionReply } from './answers.js'
import {
  LambdaExtensionFaultPlan,
  type LambdaExtensionFaults,
  type LambdaExtensionOperation,
} from './faults.js'
import { createHandler, type LambdaExtensionCall } from './handler.js'
import { type ExtensionParameterType, ExtensionStore } from './store.js'

/** Options for {@link startLambdaExtensionEmulator}. */
export interface LambdaExtensionEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** The session token requests must carry in `X-Aws-Parameters-Secrets-Token`. @default a random one */
  token?: string
  /**
   * How long the extension's own cache keeps an answer, in ms, as `SECRETS_MANAGER_TTL` and
   * `SSM_PARAMETER_STORE_TTL` set it (300 s by default there too); 0 turns the cache off.
   * @default 300_000
   */
  cacheTtl?: number
  /** Time source for the cache and the dates in answers. @default Date.now */
  clock?: () => number
  /** Region and account used in ARNs. @default 'us-east-1', '123456789012' */
  region?: string
  accountId?: string
  /** Secrets to create at start (`SecretString`), by id. */
  secrets?: Record<string, string>
  /** `String` parameters to create at start, by name. */
  parameters?: Record<string, string>
}

/** A running emulator of the AWS Parameters and Secrets Lambda Extension. Helpers are not counted as calls. */
export interface LambdaExtensionEmulator {
  /** `http://127.0.0.1:<port>`: pass it as `LambdaExtensionSource`'s `endpoint`. */
  readonly endpoint: string
  readonly port: number
  /** The token requests must carry. */
  readonly token: string
  /** The environment a function behind this extension sees: `AWS_SESSION_TOKEN`, `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`. */
  readonly env: { AWS_SESSION_TOKEN: string; PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: string }
  /** Latency, error and dropped-connection injection. */
  readonly faults: LambdaExtensionFaults
  /** Creates a secret or adds a version that becomes AWSCURRENT. */
  putSecret(id: string, value: string | Uint8Array): { versionId: string }
  /** Adds a new AWSCURRENT version of an existing secret; returns the old and new version ids. */
  rotate(id: string, value: string | Uint8Array): { previousVersionId: string; versionId: string }
  deleteSecret(id: string): void
  /** Creates a parameter or adds a version; returns the version number. */
  putParameter(name: string, value: string, options?: { type?: ExtensionParameterType }): { version: number }
  deleteParameter(name: string): void
  /**
   * Whether the extension answers: `'init'` answers every call with 400 "not ready" (the init
   * phase, before the extension has registered), `'invoke'` serves. @default 'invoke'
   */
  setPhase(phase: 'init' | 'invoke'): void
  /** Empties the extension's cache, as a new sandbox starts with. */
  clearCache(): void
  /** Snapshots of the requests received, oldest first; only `operation`'s when given. */
  calls(operation?: LambdaExtensionOperation | 'Unknown'): LambdaExtensionCall[]
  /** How many requests were received (of `operation`, when given), faulted ones included. */
  callCount(operation?: LambdaExtensionOperation | 'Unknown'): number
  /** Forgets recorded calls. */
  resetCalls(): void
  /** Stops the server and closes open connections. */
  close(): Promise<void>
}

function checkText(option: string, value: unknown, pattern: RegExp, allowed: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) invalid(option, value, allowed)
  return value
}

/**
 * Starts a local emulator of the AWS Parameters and Secrets Lambda Extension for tests: `GET
 * /secretsmanager/get?secretId=…` and `GET /systemsmanager/parameters/get?name=…`, the token
 * header check, the extension's cache, and `faults` like the other emulators.
 */
export async function startLambdaExtensionEmulator(
  options: LambdaExtensionEmulatorOptions = {},
): Promise<LambdaExtensionEmulator> {
  const fn = 'startLambdaExtensionEmulator option'
  const token = checkText(
    `${fn} token`,
    options.token ?? randomBytes(24).toString('base64url'),
    /^[\x21-\x7e]{1,4096}$/,
    'printable ASCII without spaces, 1–4096 characters',
  )
  const region = checkText(
    `${fn} region`,
    options.region ?? 'us-east-1',
    /^[a-z0-9-]{1,64}$/,
    "a Region name such as 'us-east-1'",
  )
  const accountId = checkText(
    `${fn} accountId`,
    options.accountId ?? '123456789012',
    /^[0-9]{12}$/,
    '12 digits',
  )
  const cacheTtl = options.cacheTtl ?? 300_000
  if (typeof cacheTtl !== 'number' || !Number.isInteger(cacheTtl) || cacheTtl < 0) {
    invalid(`${fn} cacheTtl`, cacheTtl, 'a whole number of milliseconds ≥ 0')
  }
  const clock = options.clock ?? Date.now
  const store = new ExtensionStore(region, accountId, clock)
  const faults = new LambdaExtensionFaultPlan()
  const recorded: LambdaExtensionCall[] = []
  const cache = new Map<string, { reply: ExtensionReply; at: number }>()
  const closing = new AbortController()
  let phase: 'init' | 'invoke' = 'invoke'
  const server = createServer(
    createHandler({
      store,
      faults,
      record: (call) => recorded.push(call),
      closing: closing.signal,
      token,
      ready: () => phase === 'invoke',
      cacheTtl,
      clock,
      cache,
    }),
  )
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  const endpoint = httpEndpoint(address)
  const emulator: LambdaExtensionEmulator = {
    endpoint,
    port: address.port,
    token,
    env: { AWS_SESSION_TOKEN: token, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(address.port) },
    faults,
    putSecret: (id, value) => ({ versionId: store.putSecret(id, value).versionId }),
    rotate(id, value) {
      if (store.secretAnswer(id, {}) === undefined) invalid('rotate id', id, 'an existing secret id')
      const { previousVersionId, versionId } = store.putSecret(id, value)
      return { previousVersionId: previousVersionId as string, versionId }
    },
    deleteSecret: (id) => {
      store.deleteSecret(id)
    },
    putParameter: (name, value, extra = {}) => ({ version: store.putParameter(name, value, extra.type) }),
    deleteParameter: (name) => {
      store.deleteParameter(name)
    },
    setPhase(next) {
      if (next !== 'init' && next !== 'invoke') invalid('setPhase phase', next, "'init' or 'invoke'")
      phase = next
    },
    clearCache: () => cache.clear(),
    ...callLog(recorded, (call) => call.operation),
    close: closer(server, closing),
  }
  for (const [id, value] of Object.entries(options.secrets ?? {})) emulator.putSecret(id, value)
  for (const [name, value] of Object.entries(options.parameters ?? {})) emulator.putParameter(name, value)
  return emulator
}
