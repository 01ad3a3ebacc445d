import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { type AwsEmulatorClientConfig, awsClientConfig } from '../shared/aws-client-config.js'
import { callLog } from '../shared/call-log.js'
import { invalid } from '../shared/fault-plan.js'
import { closer, httpEndpoint, listen } from '../shared/http-server.js'
import { ParameterStoreFaultPlan, type ParameterStoreFaults } from './faults.js'
import { createHandler, type ParameterStoreCall } from './handler.js'
import type { ParameterStoreOperation } from './operations.js'
import { PARAMETER_TYPES, ParameterStoreState, type ParameterTier, type ParameterType } from './store.js'

/** Options for {@link startParameterStoreEmulator}. */
export interface ParameterStoreEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /**
   * The default Region: the one `clientConfig` names, the one helpers use when not told otherwise,
   * and the one unsigned requests go to. Each Region has its own parameters, as in AWS: a request
   * is served from the Region in its SigV4 credential scope. @default 'us-east-1'
   */
  region?: string
  /** Account id used in ARNs. @default '123456789012' */
  accountId?: string
  /** Time source for `LastModifiedDate`. @default Date.now */
  clock?: () => number
  /** `String` parameters to create at start, by name, in the default Region. */
  parameters?: Record<string, string>
}

/** Which Region a helper acts in. */
export interface ParameterStoreRegionOption {
  /** The Region whose parameters the helper reads or changes. @default the emulator's `region` */
  region?: string
}

/** Options of {@link ParameterStoreEmulator.putParameter}. */
export interface PutParameterOptions extends ParameterStoreRegionOption {
  /** The parameter type; an existing parameter keeps its own when this is left out. @default 'String' for a new parameter */
  type?: ParameterType
  /** Replace the value of an existing parameter (a new version). The helper overwrites unless told not to. @default true */
  overwrite?: boolean
  /** Storage tier: Standard holds 4,096 characters, Advanced 8,192. @default 'Standard' (or the existing parameter's) */
  tier?: ParameterTier
}

/** One version of a parameter, as {@link ParameterStoreEmulator.versions} lists it (no values). */
export interface ParameterVersionInfo {
  version: number
  type: ParameterType
  labels: string[]
}

/**
 * A running Parameter Store emulator. Helper methods change state directly and are not counted as
 * calls. State is kept per Region: a helper acts in its `region` option (default: the emulator's
 * Region), and a client sees only the Region it signs for.
 */
export interface ParameterStoreEmulator extends AwsEmulatorClientConfig {
  /** Latency, error and dropped-connection injection. */
  readonly faults: ParameterStoreFaults
  /** Creates a parameter or adds a version to it (PutParameter with `Overwrite`); returns the new version. */
  putParameter(
    name: string,
    value: string,
    options?: PutParameterOptions,
  ): { name: string; arn: string; version: number }
  /** Puts `value` as a new version of an existing parameter. Returns the old and new version numbers. */
  rotate(
    name: string,
    value: string,
    options?: ParameterStoreRegionOption,
  ): { previousVersion: number; version: number }
  /** Attaches labels to a version (the latest by default), moving them from other versions, as LabelParameterVersion does. */
  labelParameterVersion(
    name: string,
    labels: string[],
    options?: { version?: number } & ParameterStoreRegionOption,
  ): { version: number; invalidLabels: string[] }
  /** Removes a parameter and all its versions. */
  deleteParameter(name: string, options?: ParameterStoreRegionOption): void
  /** The versions Parameter Store keeps for `name`, oldest first, with their labels. */
  versions(name: string, options?: ParameterStoreRegionOption): ParameterVersionInfo[]
  /**
   * Sets the value of a Secrets Manager secret that `/aws/reference/secretsmanager/<secretId>`
   * reads through Parameter Store. Each call adds a version that becomes AWSCURRENT (the previous
   * one becomes AWSPREVIOUS). Returns the secret's ARN and the new version id.
   */
  putReferencedSecret(
    secretId: string,
    value: string,
    options?: ParameterStoreRegionOption,
  ): { arn: string; versionId: string }
  /** Snapshots of the requests received, oldest first; only `operation`'s when given. */
  calls(operation?: ParameterStoreOperation): ParameterStoreCall[]
  /** How many requests were received (of `operation`, when given), faulted ones included. */
  callCount(operation?: ParameterStoreOperation): number
  /** Forgets recorded calls. */
  resetCalls(): void
  /** Stops the server and closes open connections. */
  close(): Promise<void>
}

function checkRegion(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9-]{1,64}$/.test(value)) {
    invalid(option, value, "a Region name such as 'us-east-1'")
  }
  return value
}

/**
 * Starts a local AWS Systems Manager Parameter Store (awsJson1_1 over HTTP, `X-Amz-Target:
 * AmazonSSM.<Operation>`) for tests. Point the real `@aws-sdk/client-ssm` at `endpoint` with the
 * dummy `credentials`.
 */
export async function startParameterStoreEmulator(
  options: ParameterStoreEmulatorOptions = {},
): Promise<ParameterStoreEmulator> {
  const region = checkRegion('startParameterStoreEmulator option region', options.region ?? 'us-east-1')
  const accountId = options.accountId ?? '123456789012'
  if (!/^[0-9]{12}$/.test(accountId))
    invalid('startParameterStoreEmulator option accountId', accountId, '12 digits')
  const clock = options.clock ?? Date.now
  const cipherKey = randomBytes(32)
  const states = new Map<string, ParameterStoreState>()
  const stateFor = (name: string): ParameterStoreState => {
    let state = states.get(name)
    if (state === undefined) {
      state = new ParameterStoreState(name, accountId, clock, cipherKey)
      states.set(name, state)
    }
    return state
  }
  const stateOf = (extra: ParameterStoreRegionOption | undefined) =>
    stateFor(extra?.region === undefined ? region : checkRegion('region', extra.region))
  const faults = new ParameterStoreFaultPlan()
  // Wired like the Secrets Manager emulator on purpose: the same server plumbing around this service's own handler.
  const recorded: ParameterStoreCall[] = []
  const closing = new AbortController()
  const server = createServer(
    createHandler({
      stateFor,
      defaultRegion: region,
      faults,
      record: (call) => recorded.push(call),
      closing: closing.signal,
    }),
  )

  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  const endpoint = httpEndpoint(address)
  const emulator: ParameterStoreEmulator = {
    ...awsClientConfig(endpoint, region),
    faults,
    putParameter(name, value, extra = {}) {
      if (extra.type !== undefined && !PARAMETER_TYPES.includes(extra.type)) {
        invalid('putParameter option type', extra.type, PARAMETER_TYPES.map((t) => `'${t}'`).join(', '))
      }
      const state = stateOf(extra)
      const exists = (() => {
        try {
          return state.find(name)
        } catch {
          return undefined
        }
      })()
      const version = state.put({
        name,
        value,
        type: extra.type ?? (exists === undefined ? 'String' : undefined),
        overwrite: extra.overwrite ?? true,
        ...(extra.tier === undefined ? {} : { tier: extra.tier }),
      })
      return { name, arn: state.arnOf(name), version: version.version }
    },
    rotate(name, value, extra = {}) {
      const previousVersion = stateOf(extra).find(name).latest
      const { version } = emulator.putParameter(name, value, { ...extra, overwrite: true })
      return { previousVersion, version }
    },
    labelParameterVersion(name, labels, extra = {}) {
      const result = stateOf(extra).label(name, labels, extra.version)
      return { version: result.version, invalidLabels: result.invalid }
    },
    deleteParameter(name, extra = {}) {
      stateOf(extra).delete(name)
    },
    versions(name, extra = {}) {
      return [...stateOf(extra).find(name).versions.values()].map((v) => ({
        version: v.version,
        type: v.type,
        labels: [...v.labels],
      }))
    },
    putReferencedSecret(secretId, value, extra = {}) {
      return stateOf(extra).putSecret(secretId, value)
    },
    ...callLog(
      recorded,
      (call) => call.operation,
      (call) => ({ ...call, names: [...call.names] }),
    ),
    close: closer(server, closing),
  }
  for (const [name, value] of Object.entries(options.parameters ?? {})) emulator.putParameter(name, value)
  return emulator
}
