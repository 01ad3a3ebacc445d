import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { FaultPlan, type SecretsManagerFaults } from './faults.js'
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
  /** Region used in ARNs and returned for client configuration. @default 'us-east-1' */
  region?: string
  /** Account id used in ARNs. @default '123456789012' */
  accountId?: string
  /** Time source for created and accessed dates and for scheduled deletions. @default Date.now */
  clock?: () => number
  /** Secrets to create at start, by name. */
  secrets?: Record<string, string | Uint8Array>
}

/** Static credentials the emulator accepts (it does not check signatures). */
export interface EmulatorCredentials {
  accessKeyId: string
  secretAccessKey: string
}

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

/** A running Secrets Manager emulator. Helper methods change state directly and are not counted as calls. */
export interface SecretsManagerEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly endpoint: string
  readonly region: string
  /** Dummy static credentials for an SDK client. */
  readonly credentials: EmulatorCredentials
  /** `{ endpoint, region, credentials }`, ready for `new SecretsManagerClient({ ...clientConfig })`. */
  readonly clientConfig: { endpoint: string; region: string; credentials: EmulatorCredentials }
  /** Latency, error and dropped-connection injection. */
  readonly faults: SecretsManagerFaults
  /** Creates a secret, with a first version (AWSCURRENT) when `value` is given. */
  createSecret(
    name: string,
    value?: string | Uint8Array,
    options?: { description?: string; tags?: Record<string, string>; versionId?: string },
  ): EmulatedSecret
  /**
   * Adds a version, as PutSecretValue does. Without `stages` it becomes AWSCURRENT and the old
   * current version becomes AWSPREVIOUS. Pass `['AWSPENDING']` to stage it without switching.
   */
  putSecretValue(
    secretId: string,
    value: string | Uint8Array,
    stages?: string[],
    options?: { versionId?: string },
  ): EmulatedVersion
  /** Rotates: puts `value` as the new AWSCURRENT. Returns the old and new version ids. */
  rotate(
    secretId: string,
    value: string | Uint8Array,
  ): { previousVersionId: string | undefined; versionId: string }
  /** Moves a staging label, as UpdateSecretVersionStage does. */
  updateSecretVersionStage(
    secretId: string,
    stage: string,
    options: { moveToVersionId?: string; removeFromVersionId?: string },
  ): void
  /** Schedules deletion (reads then fail with InvalidRequestException), or removes at once with `force`. */
  deleteSecret(secretId: string, options?: { force?: boolean; recoveryWindowInDays?: number }): void
  /** Version id → staging labels, for versions that have labels (DescribeSecret's `VersionIdsToStages`). */
  versions(secretId: string): Record<string, string[]>
  /** Snapshots of the requests received, oldest first; only `operation`'s when given. */
  calls(operation?: SecretsManagerOperation): RecordedCall[]
  /** How many requests were received (of `operation`, when given), faulted ones included. */
  callCount(operation?: SecretsManagerOperation): number
  /** Forgets recorded calls. */
  resetCalls(): void
  /** Stops the server and closes open connections. */
  close(): Promise<void>
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
  const region = options.region ?? 'us-east-1'
  const store = new SecretStore(region, options.accountId ?? '123456789012', options.clock ?? Date.now)
  const faults = new FaultPlan()
  const recorded: RecordedCall[] = []
  const closing = new AbortController()
  const server = createServer(
    createHandler({ store, faults, record: (call) => recorded.push(call), closing: closing.signal }),
  )

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const endpoint = `http://${host}:${address.port}`
  let stopped: Promise<void> | undefined
  const credentials = { accessKeyId: 'AKIAEMULATOR00000000', secretAccessKey: 'emulator-secret-access-key' }

  const emulator: SecretsManagerEmulator = {
    endpoint,
    region,
    credentials,
    clientConfig: { endpoint, region, credentials },
    faults,
    createSecret(name, value, extra = {}) {
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
      const secret = store.readable(secretId)
      const version = store.putValue(secret, toPayload(value), extra.versionId, stages)
      return { arn: secret.arn, name: secret.name, versionId: version.id, versionStages: [...version.stages] }
    },
    rotate(secretId, value) {
      const before = Object.entries(emulator.versions(secretId)).find(([, stages]) =>
        stages.includes('AWSCURRENT'),
      )
      const { versionId } = emulator.putSecretValue(secretId, value)
      return { previousVersionId: before?.[0], versionId }
    },
    updateSecretVersionStage(secretId, stage, move) {
      store.moveStage(store.readable(secretId), stage, move.moveToVersionId, move.removeFromVersionId)
    },
    deleteSecret(secretId, extra = {}) {
      store.delete(store.find(secretId), extra.force ?? false, extra.recoveryWindowInDays)
    },
    versions(secretId) {
      const stages: Record<string, string[]> = {}
      for (const version of store.find(secretId).versions.values()) {
        if (version.stages.size > 0) stages[version.id] = [...version.stages]
      }
      return stages
    },
    calls: (operation) =>
      recorded
        .filter((call) => operation === undefined || call.operation === operation)
        .map((call) => ({ ...call })),
    callCount: (operation) => emulator.calls(operation).length,
    resetCalls() {
      recorded.length = 0
    },
    close() {
      stopped ??= new Promise((resolve, reject) => {
        closing.abort()
        server.close((error) => (error ? reject(error) : resolve()))
        server.closeAllConnections()
      })
      return stopped
    },
  }
  for (const [name, value] of Object.entries(options.secrets ?? {})) emulator.createSecret(name, value)
  return emulator
}
