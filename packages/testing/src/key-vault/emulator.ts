import { randomBytes } from 'node:crypto'
import { type LookupAddress, type LookupOptions, lookup } from 'node:dns'
import { Agent, createServer } from 'node:https'
import { callLog } from '../shared/call-log.js'
import { invalid } from '../shared/fault-plan.js'
import { closer, listen } from '../shared/http-server.js'
import { KeyVaultFaultPlan, type KeyVaultFaults, type KeyVaultOperation } from './faults.js'
import { createKeyVaultHandler, type KeyVaultCall } from './handler.js'
import { NAME_PATTERN, type StoredVersion, VaultStore } from './store.js'
import { selfSignedCertificate } from './tls.js'

/**
 * The `api-version` values the emulator accepts: the 7.x releases and the dated versions the
 * `@azure/keyvault-secrets` 4.x line sends. Any other value is answered 400 `BadParameter`.
 */
export const KEY_VAULT_API_VERSIONS: readonly string[] = [
  '7.0',
  '7.1',
  '7.2',
  '7.3',
  '7.4',
  '7.5',
  '7.6',
  '2025-07-01',
  '2026-04-01',
]

/** The domain vault host names end with; the emulator resolves them to itself. */
export const EMULATOR_VAULT_DOMAIN = 'vault.localhost'

/** Options for {@link startKeyVaultEmulator}. */
export interface KeyVaultEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** The vault's name: the first label of its host, `<vaultName>.vault.localhost`. @default 'latchkey' */
  vaultName?: string
  /** Tenant named in the challenge's `authorization` URL. @default 'latchkey-emulator-tenant' */
  tenantId?: string
  /** Time source for created/updated/deleted dates. @default Date.now */
  clock?: () => number
  /** Secrets to create at start, by name. */
  secrets?: Record<string, string>
}

/** Properties a helper sets on a new version (as `setSecret` of the SDK does). */
export interface KeyVaultSecretProperties {
  contentType?: string
  /** @default true */
  enabled?: boolean
  /** Not usable before this time. */
  notBefore?: Date
  /** Not usable after this time. */
  expiresOn?: Date
  tags?: Record<string, string>
}

/** What the helpers return about a version. */
export interface KeyVaultSecretVersion {
  name: string
  /** The version id: 32 hex digits. */
  version: string
  /** `<vaultUrl>/secrets/<name>/<version>`. */
  id: string
}

/** A token the fake credential handed out, and what it was asked for. */
export interface KeyVaultTokenRequest {
  scopes: string[]
  tenantId?: string
}

/** A `TokenCredential` (structurally, as `@azure/core-auth` defines it) that the emulator accepts. */
export interface KeyVaultEmulatorCredential {
  getToken(
    scopes: string | string[],
    options?: { tenantId?: string; abortSignal?: AbortSignal },
  ): Promise<{ token: string; expiresOnTimestamp: number }>
}

/**
 * A running Key Vault emulator (secrets only) speaking the REST API over HTTPS with a certificate
 * made at start. Helper methods change state directly and are not recorded as calls.
 */
export interface KeyVaultEmulator {
  /** `https://<vaultName>.vault.localhost:<port>`: the `vaultUrl` for a `SecretClient`. */
  readonly vaultUrl: string
  /** Same as `vaultUrl`. */
  readonly endpoint: string
  /** The resource the 401 challenge names: `https://vault.localhost`. Tokens are asked for `<resource>/.default`. */
  readonly resource: string
  /** The tenant the challenge names. */
  readonly tenantId: string
  /** The emulator's self-signed certificate (PEM), the only CA a client needs to trust it. */
  readonly ca: string
  /**
   * Options for `new SecretClient(vaultUrl, credential, { ...clientOptions })`: an HTTPS agent
   * that trusts `ca` and resolves `*.vault.localhost` to the emulator. Closed by `close()`.
   */
  readonly clientOptions: { agent: Agent }
  /** A fake `TokenCredential` whose tokens the emulator accepts. */
  readonly credential: KeyVaultEmulatorCredential
  /** What the credential has been asked for, oldest first. */
  tokenRequests(): KeyVaultTokenRequest[]
  /** Latency, error and dropped-connection injection. */
  readonly faults: KeyVaultFaults
  /** Adds a version of `name` (creating the secret); it becomes the latest. */
  setSecret(name: string, value: string, properties?: KeyVaultSecretProperties): KeyVaultSecretVersion
  /** Changes the properties of one version (the latest when `version` is omitted). */
  updateSecretProperties(
    name: string,
    version: string | undefined,
    properties: KeyVaultSecretProperties,
  ): void
  /** Soft-deletes a secret: reads answer 404 until it is recovered. */
  deleteSecret(name: string): void
  /** Recovers a soft-deleted secret. */
  recoverSecret(name: string): void
  /** Removes a soft-deleted secret for good. */
  purgeSecret(name: string): void
  /** Version ids of a live secret, oldest first. */
  versions(name: string): string[]
  /** Snapshots of the requests received, oldest first; only `operation`'s when given. */
  calls(operation?: KeyVaultOperation): KeyVaultCall[]
  /** How many requests were received (of `operation`, when given), challenged and faulted ones included. */
  callCount(operation?: KeyVaultOperation): number
  /** Forgets recorded calls and token requests. */
  resetCalls(): void
  /** Stops the server, closes open connections and destroys the agent. */
  close(): Promise<void>
}

function checkName(option: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    invalid(option, name, 'a Key Vault name: 1–127 characters of 0-9, a-z, A-Z and -')
  }
  return name
}

function checkDate(option: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(option, value, 'a valid Date')
  return value.getTime()
}

function toProperties(props: KeyVaultSecretProperties = {}) {
  if (props.enabled !== undefined && typeof props.enabled !== 'boolean') {
    invalid('properties.enabled', props.enabled, 'true or false')
  }
  if (props.contentType !== undefined && typeof props.contentType !== 'string') {
    invalid('properties.contentType', props.contentType, 'a string')
  }
  const notBefore = checkDate('properties.notBefore', props.notBefore)
  const expiresOn = checkDate('properties.expiresOn', props.expiresOn)
  return {
    ...(props.contentType === undefined ? {} : { contentType: props.contentType }),
    ...(props.enabled === undefined ? {} : { enabled: props.enabled }),
    ...(notBefore === undefined ? {} : { notBefore }),
    ...(expiresOn === undefined ? {} : { expiresOn }),
    ...(props.tags === undefined ? {} : { tags: { ...props.tags } }),
  }
}

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void

/**
 * Starts a local Azure Key Vault (the secrets part of its REST API) for tests. Point the real
 * `SecretClient` at `vaultUrl` with the fake `credential` and `clientOptions`.
 */
export async function startKeyVaultEmulator(
  options: KeyVaultEmulatorOptions = {},
): Promise<KeyVaultEmulator> {
  const vaultName = options.vaultName ?? 'latchkey'
  if (typeof vaultName !== 'string' || !/^[a-z0-9](?:[a-z0-9-]{1,22}[a-z0-9])$/i.test(vaultName)) {
    invalid(
      'startKeyVaultEmulator option vaultName',
      vaultName,
      'a vault name of 3–24 letters, digits and inner dashes',
    )
  }
  const tenantId = options.tenantId ?? 'latchkey-emulator-tenant'
  if (typeof tenantId !== 'string' || !/^[\w.-]{1,100}$/.test(tenantId)) {
    invalid(
      'startKeyVaultEmulator option tenantId',
      tenantId,
      'a tenant id of letters, digits, ".", "_" and "-"',
    )
  }
  const clock = options.clock ?? Date.now
  const host = `${vaultName.toLowerCase()}.${EMULATOR_VAULT_DOMAIN}`
  const tls = selfSignedCertificate([host, 'localhost', '127.0.0.1'])
  const store = new VaultStore(clock)
  const faults = new KeyVaultFaultPlan()
  const recorded: KeyVaultCall[] = []
  const tokens: KeyVaultTokenRequest[] = []
  const token = `kv-emulator-${randomBytes(16).toString('hex')}`
  const resource = `https://${EMULATOR_VAULT_DOMAIN}`
  const closing = new AbortController()
  let vaultUrl = ''
  const server = createServer(
    { key: tls.key, cert: tls.cert },
    createKeyVaultHandler({
      store,
      faults,
      record: (call) => recorded.push(call),
      closing: closing.signal,
      vaultUrl: () => vaultUrl,
      challenge: `Bearer authorization="https://login.localhost/${tenantId}", resource="${resource}"`,
      token,
      apiVersions: new Set(KEY_VAULT_API_VERSIONS),
    }),
  )
  const { port } = await listen(server, options.port ?? 0, '127.0.0.1')
  vaultUrl = `https://${host}:${port}`
  const agent = new Agent({
    keepAlive: true,
    ca: tls.cert,
    lookup: ((hostname: string, lookupOptions: LookupOptions, callback: LookupCallback) =>
      lookup(
        hostname.toLowerCase().endsWith(`.${EMULATOR_VAULT_DOMAIN}`) ? '127.0.0.1' : hostname,
        lookupOptions,
        callback as never,
      )) as never,
  })
  const credential: KeyVaultEmulatorCredential = {
    async getToken(scopes, tokenOptions = {}) {
      tokens.push({
        scopes: Array.isArray(scopes) ? [...scopes] : [scopes],
        ...(tokenOptions.tenantId === undefined ? {} : { tenantId: tokenOptions.tenantId }),
      })
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 }
    },
  }
  const latest = (name: string, version: string | undefined): StoredVersion => {
    const secret = store.live(checkName('name', name))
    const found =
      version === undefined ? secret?.versions.at(-1) : secret?.versions.find((v) => v.id === version)
    if (found === undefined)
      throw new Error(`the emulator has no live secret "${name}"${version ? ` with version ${version}` : ''}`)
    return found
  }

  const log = callLog(recorded, (call) => call.operation)
  const emulator: KeyVaultEmulator = {
    vaultUrl,
    endpoint: vaultUrl,
    resource,
    tenantId,
    ca: tls.cert,
    clientOptions: { agent },
    credential,
    tokenRequests: () => tokens.map((request) => ({ ...request, scopes: [...request.scopes] })),
    faults,
    setSecret(name, value, properties) {
      checkName('name', name)
      if (typeof value !== 'string') invalid('value', value, 'a string')
      if (store.deleted(name) !== undefined) {
        throw new Error(`secret "${name}" is soft-deleted; recover or purge it first`)
      }
      const version = store.put(name, value, toProperties(properties))
      const stored = store.live(name)?.name ?? name
      return { name: stored, version: version.id, id: `${vaultUrl}/secrets/${stored}/${version.id}` }
    },
    updateSecretProperties(name, version, properties) {
      store.update(latest(name, version), toProperties(properties))
    },
    deleteSecret(name) {
      const secret = store.live(checkName('name', name))
      if (secret === undefined) throw new Error(`the emulator has no live secret "${name}"`)
      store.softDelete(secret)
    },
    recoverSecret(name) {
      const secret = store.deleted(checkName('name', name))
      if (secret === undefined) throw new Error(`the emulator has no soft-deleted secret "${name}"`)
      store.recover(secret)
    },
    purgeSecret(name) {
      const secret = store.deleted(checkName('name', name))
      if (secret === undefined) throw new Error(`the emulator has no soft-deleted secret "${name}"`)
      store.purge(secret)
    },
    versions: (name) => store.live(checkName('name', name))?.versions.map((v) => v.id) ?? [],
    calls: log.calls,
    callCount: log.callCount,
    resetCalls() {
      log.resetCalls()
      tokens.length = 0
    },
    close: closer(server, closing, { before: () => agent.destroy() }),
  }
  for (const [name, value] of Object.entries(options.secrets ?? {})) emulator.setSecret(name, value)
  return emulator
}
