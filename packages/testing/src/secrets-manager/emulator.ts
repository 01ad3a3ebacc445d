import { createServer } from 'node:http'
import { type AwsEmulatorClientConfig, awsClientConfig } from '../shared/aws-client-config.js'
import { callLog } from '../shared/call-log.js'
import { invalid } from '../shared/fault-plan.js'
import { closer, httpEndpoint, listen } from '../shared/http-server.js'
import { type SqsEmulator, startSqsEmulator } from '../sqs/emulator.js'
import { publish, type SecretsManagerEventTarget } from './events.js'
import { SecretsManagerFaultPlan, type SecretsManagerFaults } from './faults.js'
import { createHandler, type RecordedCall } from './handler.js'
import type { SecretsManagerOperation } from './operations.js'
import { SecretStore } from './store.js'
import type { SecretPayload } from './wire.js'

/** Options for {@link startSecretsManagerEmulator}. */
export interface SecretsManagerEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /**
   * The default Region: the one `clientConfig` names, the one the helpers use when not told
   * otherwise, and the one unsigned requests go to. Each Region has its own secrets, as in AWS: a
   * request is served from the Region in its SigV4 credential scope. @default 'us-east-1'
   */
  region?: string
  /** Account id used in ARNs. @default '123456789012' */
  accountId?: string
  /** Time source for created and accessed dates and for scheduled deletions. @default Date.now */
  clock?: () => number
  /** Secrets to create at start, by name, in the default Region. */
  secrets?: Record<string, string | Uint8Array>
  /**
   * Publish change events to an SQS emulator's queue, as an EventBridge rule with an SQS target
   * does: `PutSecretValue` and `UpdateSecretVersionStage` (API calls and the helpers of the same
   * name), and for `rotate()` a `PutSecretValue` then a `RotationSucceeded`. Each message is the
   * EventBridge event with the CloudTrail record in `detail`; never a secret value. `true` starts
   * an SQS emulator of its own (closed with this one) with a queue `secretsmanager-events`: see
   * `events` on the emulator.
   * @default no events
   */
  events?: SecretsManagerEventTarget | true
}

/** Which Region a helper acts in. */
export interface RegionOption {
  /**
   * The Region whose secrets the helper reads or changes.
   * @default the Region in `secretId` when it is an ARN, else the emulator's `region` ('us-east-1' unless set)
   */
  region?: string
}

export type { EmulatorCredentials } from '../shared/aws-client-config.js'

/** What the helpers return about a secret. */
export interface EmulatedSecret {
  arn: string
  name: string
  /** Set when the secret was created with a value. */
  versionId?: string
}

/** What {@link SecretsManagerEmulator.putSecretValue} returns. */
export interface EmulatedVersion {
  arn: string
  name: string
  versionId: string
  versionStages: string[]
}

/**
 * A running Secrets Manager emulator. Helper methods change state directly and are not counted as
 * calls. State is kept per Region: a helper acts in its `region` option (default: the ARN's Region
 * or the emulator's default Region), and a client sees only the Region it signs for.
 */
export interface SecretsManagerEmulator extends AwsEmulatorClientConfig {
  /** Latency, error and dropped-connection injection. */
  readonly faults: SecretsManagerFaults
  /** Creates a secret, with a first version (AWSCURRENT) when `value` is given. */
  createSecret(
    name: string,
    value?: string | Uint8Array,
    options?: { description?: string; tags?: Record<string, string>; versionId?: string } & RegionOption,
  ): EmulatedSecret
  /**
   * Adds a version, as PutSecretValue does. Without `stages` it becomes AWSCURRENT and the old
   * current version becomes AWSPREVIOUS. Pass `['AWSPENDING']` to stage it without switching.
   */
  putSecretValue(
    secretId: string,
    value: string | Uint8Array,
    stages?: string[],
    options?: { versionId?: string } & RegionOption,
  ): EmulatedVersion
  /** Rotates: puts `value` as the new AWSCURRENT. Returns the old and new version ids. */
  rotate(
    secretId: string,
    value: string | Uint8Array,
    options?: RegionOption,
  ): { previousVersionId: string | undefined; versionId: string }
  /** Moves a staging label, as UpdateSecretVersionStage does. */
  updateSecretVersionStage(
    secretId: string,
    stage: string,
    options: { moveToVersionId?: string; removeFromVersionId?: string } & RegionOption,
  ): void
  /** Schedules deletion (reads then fail with InvalidRequestException), or removes at once with `force`. */
  deleteSecret(
    secretId: string,
    options?: { force?: boolean; recoveryWindowInDays?: number } & RegionOption,
  ): void
  /** Version id → staging labels, for versions that have labels (DescribeSecret's `VersionIdsToStages`). */
  versions(secretId: string, options?: RegionOption): Record<string, string[]>
  /** Snapshots of the requests received, oldest first; only `operation`'s when given. */
  calls(operation?: SecretsManagerOperation): RecordedCall[]
  /** How many requests were received (of `operation`, when given), faulted ones included. */
  callCount(operation?: SecretsManagerOperation): number
  /** Forgets recorded calls. */
  resetCalls(): void
  /** Starts (or with `undefined`, stops) publishing change events; see the `events` option. */
  publishEvents(target: SecretsManagerEventTarget | undefined): void
  /**
   * With `events: true`: the SQS emulator it started (an SQS-compatible endpoint) and the URL of
   * the queue the events go to. Otherwise `undefined`.
   */
  readonly events: { sqs: SqsEmulator; queueUrl: string } | undefined
  /** Stops the server and closes open connections. */
  close(): Promise<void>
}

/** The Region in a Secrets Manager ARN. */
const ARN_REGION = /^arn:[^:]+:secretsmanager:([a-z0-9-]+):/

function checkRegion(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9-]{1,64}$/.test(value)) {
    invalid(option, value, "a Region name such as 'us-east-1'")
  }
  return value
}

function toPayload(value: string | Uint8Array): SecretPayload {
  return typeof value === 'string'
    ? { kind: 'string', text: value }
    : { kind: 'binary', bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength) }
}

/**
 * Starts a local AWS Secrets Manager (awsJson1_1 over HTTP) for tests. Point the real
 * `@aws-sdk/client-secrets-manager` at `endpoint` with the dummy `credentials`.
 */
export async function startSecretsManagerEmulator(
  options: SecretsManagerEmulatorOptions = {},
): Promise<SecretsManagerEmulator> {
  const region = checkRegion('startSecretsManagerEmulator option region', options.region ?? 'us-east-1')
  const accountId = options.accountId ?? '123456789012'
  const clock = options.clock ?? Date.now
  const stores = new Map<string, SecretStore>()
  const storeFor = (name: string): SecretStore => {
    let store = stores.get(name)
    if (store === undefined) {
      store = new SecretStore(name, accountId, clock)
      stores.set(name, store)
    }
    return store
  }
  /** The store a helper acts on: its `region` option, else the ARN's Region, else the default. */
  const storeOf = (secretId: string, extra: RegionOption | undefined): SecretStore => {
    if (extra?.region !== undefined) return storeFor(checkRegion('region', extra.region))
    return storeFor(ARN_REGION.exec(secretId)?.[1] ?? region)
  }
  const faults = new SecretsManagerFaultPlan()
  let ownSqs: { sqs: SqsEmulator; queueUrl: string } | undefined
  if (options.events === true) {
    const sqs = await startSqsEmulator({
      ...(options.host === undefined ? {} : { host: options.host }),
      region,
      accountId,
    })
    ownSqs = { sqs, queueUrl: sqs.createQueue('secretsmanager-events') }
  }
  let events: SecretsManagerEventTarget | undefined =
    ownSqs === undefined
      ? (options.events as SecretsManagerEventTarget | undefined)
      : { sqs: ownSqs.sqs, queue: ownSqs.queueUrl }
  const recorded: RecordedCall[] = []
  const closing = new AbortController()
  const server = createServer(
    createHandler({
      storeFor,
      defaultRegion: region,
      faults,
      record: (call) => recorded.push(call),
      closing: closing.signal,
      changed: (change) => publish(events, { ...change, accountId, time: clock() }),
    }),
  )

  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1').catch(
    async (error: unknown) => {
      await ownSqs?.sqs.close()
      throw error
    },
  )
  const endpoint = httpEndpoint(address)
  const emulator: SecretsManagerEmulator = {
    ...awsClientConfig(endpoint, region),
    faults,
    createSecret(name, value, extra = {}) {
      const store =
        extra.region === undefined ? storeFor(region) : storeFor(checkRegion('region', extra.region))
      const { secret, version } = store.create({
        name,
        ...(value === undefined ? {} : { payload: toPayload(value) }),
        ...(extra.versionId === undefined ? {} : { token: extra.versionId }),
        ...(extra.description === undefined ? {} : { description: extra.description }),
        tags: Object.entries(extra.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      })
      return {
        arn: secret.arn,
        name: secret.name,
        ...(version === undefined ? {} : { versionId: version.id }),
      }
    },
    putSecretValue(secretId, value, stages, extra = {}) {
      const store = storeOf(secretId, extra)
      const secret = store.readable(secretId)
      const version = store.putValue(secret, toPayload(value), extra.versionId, stages)
      publish(events, {
        eventName: 'PutSecretValue',
        region: store.region,
        accountId,
        arn: secret.arn,
        secretId,
        versionId: version.id,
        versionStages: [...version.stages],
        time: clock(),
      })
      return { arn: secret.arn, name: secret.name, versionId: version.id, versionStages: [...version.stages] }
    },
    rotate(secretId, value, extra = {}) {
      const before = Object.entries(emulator.versions(secretId, extra)).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      )
      const { versionId, arn } = emulator.putSecretValue(secretId, value, undefined, extra)
      const region = ARN_REGION.exec(arn)?.[1] ?? emulator.region
      publish(events, {
        eventName: 'RotationSucceeded',
        region,
        accountId,
        arn,
        secretId: arn,
        time: clock(),
      })
      return { previousVersionId: before?.[0], versionId }
    },
    updateSecretVersionStage(secretId, stage, move) {
      const store = storeOf(secretId, move)
      const secret = store.readable(secretId)
      store.moveStage(secret, stage, move.moveToVersionId, move.removeFromVersionId)
      publish(events, {
        eventName: 'UpdateSecretVersionStage',
        region: store.region,
        accountId,
        arn: secret.arn,
        secretId,
        parameters: {
          versionStage: stage,
          ...(move.moveToVersionId === undefined ? {} : { moveToVersionId: move.moveToVersionId }),
          ...(move.removeFromVersionId === undefined
            ? {}
            : { removeFromVersionId: move.removeFromVersionId }),
        },
        time: clock(),
      })
    },
    deleteSecret(secretId, extra = {}) {
      const store = storeOf(secretId, extra)
      store.delete(store.find(secretId), extra.force ?? false, extra.recoveryWindowInDays)
    },
    versions(secretId, extra) {
      const stages: Record<string, string[]> = {}
      for (const version of storeOf(secretId, extra).find(secretId).versions.values()) {
        if (version.stages.size > 0) stages[version.id] = [...version.stages]
      }
      return stages
    },
    ...callLog(recorded, (call) => call.operation),
    publishEvents(target) {
      events = target
    },
    events: ownSqs,
    close: closer(server, closing, { after: () => ownSqs?.sqs.close() }),
  }
  for (const [name, value] of Object.entries(options.secrets ?? {})) emulator.createSecret(name, value)
  return emulator
}
