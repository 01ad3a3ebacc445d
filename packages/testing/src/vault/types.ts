import type { VaultDatabaseConnectionOptions, VaultDatabaseRoleOptions, VaultLease } from './database.js'
import type { VaultDatabaseStaticRoleOptions } from './database-static.js'
import type { VaultCalls, VaultFaults } from './faults.js'
import type { KvData } from './kv.js'
import type { VaultAppRoleOptions, VaultKubernetesRoleOptions } from './login.js'
import type { VaultTokenOptions } from './tokens.js'

/** Options for {@link startVaultEmulator}. */
export interface VaultEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Address to listen on. @default '127.0.0.1' */
  host?: string
  /** The root token. @default a random `hvs.` token */
  rootToken?: string
  /** KV mounts and their versions. @default { secret: 2, kv: 1 } */
  kvMounts?: Record<string, 1 | 2>
  /** Mount of the database secrets engine. @default 'database' */
  databaseMount?: string
  /**
   * Largest request body in bytes, as a Vault listener's `max_request_size`; a larger one gets 413
   * `{"errors":["http: request body too large"]}`. @default 33554432 (32 MiB, Vault's default)
   */
  maxRequestSize?: number
}

/** Options of the KV helpers. */
export interface VaultKvOptions {
  /** The KV mount. @default 'secret' */
  mount?: string
  /**
   * The Vault Enterprise namespace (`'team-a'` or `'team-a/'`); HTTP requests reach it with
   * `X-Vault-Namespace`. @default the root namespace
   */
  namespace?: string
}

/** Direct access to the emulator's KV mounts, bypassing HTTP and policies. */
export interface VaultKvHelpers {
  /** Writes `data` at `path` (a new version on KV v2). Returns the new version (KV v1: 0). */
  write(path: string, data: KvData, options?: VaultKvOptions): number
  /** Writes a new version of an existing key, as a rotation does. Returns the new version. */
  rotate(path: string, data: KvData, options?: VaultKvOptions): number
  /** KV v2: soft-deletes the given versions (default the latest). KV v1: deletes the key. */
  delete(path: string, options?: VaultKvOptions & { versions?: number[] }): void
  /**
   * KV v2: sets a key's metadata, creating the key (with no versions) when it does not exist, as
   * `POST <mount>/metadata/<path>` does. `deleteVersionAfter` is in seconds (0: never);
   * `customMetadata` replaces the key's map.
   */
  setMetadata(
    path: string,
    settings: {
      maxVersions?: number
      casRequired?: boolean
      deleteVersionAfter?: number
      /** The key's `custom_metadata` (checked as Vault checks it); null clears it. */
      customMetadata?: Record<string, string> | null
    },
    options?: VaultKvOptions,
  ): void
  /** KV v2: destroys the given versions (default the latest) for good. */
  destroy(path: string, options?: VaultKvOptions & { versions?: number[] }): void
}

/** Direct access to the database secrets engine. */
export interface VaultDatabaseHelpers {
  /** The engine's mount. */
  readonly mount: string
  /** Adds (or replaces) a connection to PostgreSQL. */
  configure(options: VaultDatabaseConnectionOptions): void
  /** Adds (or replaces) a dynamic role. */
  createRole(options: VaultDatabaseRoleOptions): void
  /**
   * Adds (or replaces) a static role: the existing user's password is set now and every
   * `rotationPeriod` seconds, as `POST <mount>/static-roles/<name>` does.
   */
  createStaticRole(options: VaultDatabaseStaticRoleOptions): Promise<void>
  /** Leases that are neither revoked nor expired. */
  leases(): VaultLease[]
  /** Errors of revocations that ran when leases expired. */
  readonly revocationErrors: readonly Error[]
}

/** A running Vault emulator. */
export interface VaultEmulator {
  /** Base URL, e.g. `http://127.0.0.1:54321` (node-vault's `endpoint`). */
  readonly endpoint: string
  /** The root token: every capability, never expires, not renewable. */
  readonly token: string
  /** KV helpers. */
  readonly kv: VaultKvHelpers
  /** Database engine helpers. */
  readonly database: VaultDatabaseHelpers
  /** Creates an orphan token with the given policy rules and lifetime; returns it. */
  createToken(options?: VaultTokenOptions): string
  /**
   * Writes an ACL policy (HCL or JSON, as `sys/policy/<name>` takes it); tokens that name it get
   * its rules at once. Throws for a document Vault would refuse.
   */
  writePolicy(name: string, policy: string): void
  /**
   * Expires tokens now: one `token`, or all issued under `path` (such as `'auth/approle/login'`),
   * or every non-root token. Returns how many.
   */
  expireTokens(filter?: { token?: string; path?: string }): number
  /** Registers an AppRole role (the mount is created on first use). Returns its credentials. */
  addAppRole(options: VaultAppRoleOptions): { roleId: string; secretId: string }
  /** Registers a Kubernetes auth role and a JWT it accepts (call again to accept more). */
  addKubernetesRole(options: VaultKubernetesRoleOptions): { role: string; jwt: string }
  /** Seals: every call except `sys/health` and `sys/seal-status` gets 503 `Vault is sealed`. */
  seal(): void
  unseal(): void
  readonly sealed: boolean
  /** Fault injection. */
  readonly faults: VaultFaults
  /** Per-path call counters. */
  readonly calls: VaultCalls
  /** Stops the server, revokes open database leases and closes database connections. */
  close(): Promise<void>
}
