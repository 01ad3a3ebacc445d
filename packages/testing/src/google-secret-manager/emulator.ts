import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { callLog } from '../shared/call-log.js'
import { invalid } from '../shared/fault-plan.js'
import { closer, httpEndpoint, listen } from '../shared/http-server.js'
import { GoogleSecretManagerEmulatorError } from './errors.js'
import { GoogleFaultPlan, type GoogleSecretManagerFaults, type GoogleSecretManagerRpc } from './faults.js'
import { createHandler, type GoogleRecordedCall, MAX_PAYLOAD_BYTES } from './handler.js'
import { checksumOf, PROJECT, SecretStore, type VersionState } from './store.js'

/** Options for {@link startGoogleSecretManagerEmulator}. */
export interface GoogleSecretManagerEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** The project the helpers act in unless told otherwise (any project can be used). @default 'latchkey-emulator' */
  project?: string
  /** The OAuth 2 access token requests must carry as `Authorization: Bearer …`. @default a random token */
  token?: string
  /** Time source for create and destroy times. @default Date.now */
  clock?: () => number
  /** Secrets to create at start in `project`, each with one version holding the value. */
  secrets?: Record<string, string | Uint8Array>
}

/** Which project a helper acts in. */
export interface ProjectOption {
  /** @default the emulator's `project` */
  project?: string
}

/** What the helpers return about a version. */
export interface EmulatedSecretVersion {
  /** `projects/<project>/secrets/<id>/versions/<n>`: what `AccessSecretVersion` answers as `name`. */
  name: string
  /** The version number, from 1. */
  version: number
  state: VersionState
}

/**
 * The settings that point a `SecretManagerServiceClient` at the emulator over its REST transport:
 * spread them into the client's options and add an `authClient` holding `token` (see the README).
 */
export interface GoogleEmulatorClientOptions {
  apiEndpoint: string
  port: number
  protocol: 'http'
  fallback: 'rest'
}

/**
 * A running Secret Manager emulator (the v1 REST API). Helper methods change state directly and
 * are not counted as calls.
 */
export interface GoogleSecretManagerEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  readonly endpoint: string
  /** The default project. */
  readonly project: string
  /** The access token requests must carry; others are answered 401 `UNAUTHENTICATED`. */
  readonly token: string
  /** `{ apiEndpoint, port, protocol: 'http', fallback: 'rest' }` for the client's constructor. */
  readonly clientOptions: GoogleEmulatorClientOptions
  /** Latency, error and dropped-connection injection. */
  readonly faults: GoogleSecretManagerFaults
  /** Creates a secret; with `value`, also its version 1. */
  createSecret(
    id: string,
    value?: string | Uint8Array,
    options?: ProjectOption & { labels?: Record<string, string> },
  ): { name: string; version?: EmulatedSecretVersion }
  /**
   * Adds a version (a rotation: `latest` now names it). The service keeps a CRC-32C of every
   * payload and returns it on access; `checksum: false` stores one without, as versions written
   * before checksums existed are.
   */
  addVersion(
    id: string,
    value: string | Uint8Array,
    options?: ProjectOption & { checksum?: boolean },
  ): EmulatedSecretVersion
  /** Disables a version: access answers 400 `FAILED_PRECONDITION` until it is enabled again. */
  disableVersion(id: string, version: number | 'latest', options?: ProjectOption): EmulatedSecretVersion
  /** Enables a disabled version. */
  enableVersion(id: string, version: number | 'latest', options?: ProjectOption): EmulatedSecretVersion
  /** Destroys a version: its payload is gone for good and access answers `FAILED_PRECONDITION`. */
  destroyVersion(id: string, version: number | 'latest', options?: ProjectOption): EmulatedSecretVersion
  /** Deletes a secret and every version of it (access answers 404 `NOT_FOUND`). */
  deleteSecret(id: string, options?: ProjectOption): void
  /** Every version of a secret, oldest first. */
  versions(id: string, options?: ProjectOption): EmulatedSecretVersion[]
  /** Snapshots of the requests received, oldest first; only `rpc`'s when given. */
  calls(rpc?: GoogleSecretManagerRpc): GoogleRecordedCall[]
  /** How many requests were received (of `rpc`, when given), faulted ones included. */
  callCount(rpc?: GoogleSecretManagerRpc): number
  /** Forgets recorded calls. */
  resetCalls(): void
  /** Stops the server and closes open connections. */
  close(): Promise<void>
}

function checkProject(option: string, value: unknown): string {
  if (typeof value !== 'string' || !PROJECT.test(value)) {
    invalid(
      option,
      value,
      'a project id (6–30 of a-z, 0-9 and -, starting with a letter) or a project number',
    )
  }
  return value
}

function toBytes(value: string | Uint8Array): Buffer {
  return typeof value === 'string'
    ? Buffer.from(value, 'utf8')
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength)
}

/**
 * Starts a local Google Secret Manager (the v1 REST API, as `@google-cloud/secret-manager` speaks
 * it with `fallback: 'rest'`) for tests. It does not speak gRPC.
 */
export async function startGoogleSecretManagerEmulator(
  options: GoogleSecretManagerEmulatorOptions = {},
): Promise<GoogleSecretManagerEmulator> {
  const project = checkProject(
    'startGoogleSecretManagerEmulator option project',
    options.project ?? 'latchkey-emulator',
  )
  const token = options.token ?? `emulator-${randomBytes(12).toString('hex')}`
  if (typeof token !== 'string' || !/^[\x21-\x7e]+$/.test(token)) {
    invalid(
      'startGoogleSecretManagerEmulator option token',
      token,
      'a non-empty string of visible ASCII characters',
    )
  }
  const store = new SecretStore(options.clock ?? Date.now)
  const faults = new GoogleFaultPlan()
  const recorded: GoogleRecordedCall[] = []
  const closing = new AbortController()
  const server = createServer(
    createHandler({ store, token, faults, record: (call) => recorded.push(call), closing: closing.signal }),
  )
  const address = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  const endpoint = httpEndpoint(address)

  const projectOf = (extra: ProjectOption | undefined) =>
    extra?.project === undefined ? project : checkProject('project', extra.project)
  const describe = (p: string, id: string, number: number): EmulatedSecretVersion => {
    const secret = store.secret(p, id)
    const version = store.version(secret, String(number))
    return {
      name: `projects/${p}/secrets/${id}/versions/${version.number}`,
      version: version.number,
      state: version.state,
    }
  }
  const changeState = (
    id: string,
    selector: number | 'latest',
    state: VersionState,
    extra?: ProjectOption,
  ) => {
    const p = projectOf(extra)
    const secret = store.secret(p, id)
    const version = store.version(secret, String(selector))
    store.setState(version, state)
    return describe(p, id, version.number)
  }

  const emulator: GoogleSecretManagerEmulator = {
    endpoint,
    project,
    token,
    clientOptions: { apiEndpoint: address.address, port: address.port, protocol: 'http', fallback: 'rest' },
    faults,
    createSecret(id, value, extra = {}) {
      const p = projectOf(extra)
      store.create(p, id, extra.labels)
      const name = `projects/${p}/secrets/${id}`
      if (value === undefined) return { name }
      return { name, version: emulator.addVersion(id, value, { project: p }) }
    },
    addVersion(id, value, extra = {}) {
      const p = projectOf(extra)
      const bytes = toBytes(value)
      if (bytes.byteLength > MAX_PAYLOAD_BYTES) {
        throw new GoogleSecretManagerEmulatorError(
          'INVALID_ARGUMENT',
          'Secret Payload cannot exceed 65536 bytes.',
        )
      }
      const checksum = extra.checksum === false ? undefined : checksumOf(bytes)
      const version = store.addVersion(store.secret(p, id), bytes, { value: checksum, client: false })
      return describe(p, id, version.number)
    },
    disableVersion: (id, version, extra) => changeState(id, version, 'DISABLED', extra),
    enableVersion: (id, version, extra) => changeState(id, version, 'ENABLED', extra),
    destroyVersion: (id, version, extra) => changeState(id, version, 'DESTROYED', extra),
    deleteSecret(id, extra) {
      store.delete(projectOf(extra), id)
    },
    versions(id, extra) {
      const p = projectOf(extra)
      return store.secret(p, id).versions.map((v) => describe(p, id, v.number))
    },
    ...callLog(recorded, (call) => call.rpc),
    close: closer(server, closing),
  }
  for (const [id, value] of Object.entries(options.secrets ?? {})) emulator.createSecret(id, value)
  return emulator
}
