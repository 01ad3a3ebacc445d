import { randomInt } from 'node:crypto'
import pg from 'pg'
import { StaticRoles, type VaultDatabaseStaticRoleOptions } from './database-static.js'
import { pgExpiration, randomBase62, timestamp } from './format.js'
import * as http from './http.js'
import { SYSTEM_TTL, type TokenEntry, tokenEnd } from './tokens.js'

/** A database connection for the database engine. */
export interface VaultDatabaseConnectionOptions {
  /** The connection name roles refer to as `dbName`. @default 'postgresql' */
  name?: string
  /** A PostgreSQL superuser connection string; roles are created and dropped through it. */
  connectionString: string
  /** Roles that may use this connection. @default ['*'] */
  allowedRoles?: string[]
  /** The namespace whose database engine gets the connection (made on first use). @default the root namespace */
  namespace?: string
}

/** A dynamic role of the database engine. */
export interface VaultDatabaseRoleOptions {
  /** The role name used in `<mount>/creds/<name>`. */
  name: string
  /** The connection to use. @default the only configured connection, else 'postgresql' */
  dbName?: string
  /**
   * SQL run in one transaction to create the user; `{{name}}`, `{{password}}` and `{{expiration}}`
   * are filled in. @default [`CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`]
   */
  creationStatements?: string[]
  /** SQL that revokes the user. @default Vault's: revoke grants and `DROP ROLE IF EXISTS` */
  revocationStatements?: string[]
  /** SQL run on renewal. @default [`ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'`] */
  renewStatements?: string[]
  /** Lease TTL in seconds; 0 means the system default (768 h). @default 3600 */
  defaultTtl?: number
  /** Longest a lease can live in seconds, renewals included; 0 means the system default. @default 86_400 */
  maxTtl?: number
  /** The namespace whose database engine gets the role. @default the root namespace */
  namespace?: string
}

/** An active database lease. */
export interface VaultLease {
  leaseId: string
  role: string
  username: string
  /** Epoch ms. */
  issuedAt: number
  /** Epoch ms; the user is revoked then, or earlier when its token ends. */
  expiresAt: number
  /**
   * When the token that created the lease ends (epoch ms; Infinity for the root token): Vault
   * revokes a service token's leases when it expires or is revoked (docs/wire-facts.md#vault-leases-and-tokens).
   */
  tokenExpiresAt: number
  renewable: boolean
}

export const DEFAULT_CREATION = [
  `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'`,
]
const DEFAULT_RENEW = [`ALTER ROLE "{{name}}" VALID UNTIL '{{expiration}}'`]
/** The longest delay a Node.js timer takes. */
const MAX_TIMER_MS = 2_147_483_647
/** Vault adds this to `{{expiration}}` beyond the lease's end. */
const EXPIRATION_BUFFER_MS = 5_000

interface Connection {
  pool: pg.Pool
  allowedRoles: string[]
}

interface Role extends Required<Omit<VaultDatabaseRoleOptions, 'revocationStatements' | 'namespace'>> {
  revocationStatements: string[] | undefined
}

interface Lease extends Omit<VaultLease, 'tokenExpiresAt'> {
  /** The token that created it; its end revokes the lease. */
  token: TokenEntry
  dbName: string
  maxExpiresAt: number
  lastRenewal: number | undefined
  timer: ReturnType<typeof setTimeout> | undefined
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

function render(statement: string, values: { name: string; password?: string; expiration: string }): string {
  return statement
    .replace(/\{\{\s*(name|username)\s*\}\}/g, values.name)
    .replace(/\{\{\s*password\s*\}\}/g, values.password ?? '')
    .replace(/\{\{\s*expiration\s*\}\}/g, values.expiration)
}

/** Vault's default password policy: 20 characters with an upper, a lower, a digit and a dash. */
function password(): string {
  for (;;) {
    const body = randomBase62(19)
    if (!/[A-Z]/.test(body) || !/[a-z]/.test(body) || !/[0-9]/.test(body)) continue
    const at = randomInt(1, body.length)
    return `${body.slice(0, at)}-${body.slice(at)}`
  }
}

/** `v-<display≤8>-<role≤8>-<20 random>-<unix>` cut to 63 characters, like Vault's PostgreSQL plugin. */
function username(displayName: string, role: string): string {
  const name = `v-${displayName.slice(0, 8)}-${role.slice(0, 8)}-${randomBase62(20)}-${Math.floor(Date.now() / 1000)}`
  return name.slice(0, 63)
}

/** The database secrets engine at one mount, creating real PostgreSQL roles (docs/wire-facts.md#vault-database-secrets-engine). */
export class DatabaseEngine {
  readonly #connections = new Map<string, Connection>()
  readonly #roles = new Map<string, Role>()
  readonly #leases = new Map<string, Lease>()
  /** Errors of revocations that ran on lease expiry (no caller to report them to). */
  readonly revocationErrors: Error[] = []
  /** Revocations run one at a time: concurrent REVOKEs on one catalog row fail in PostgreSQL. */
  #revocations: Promise<void> = Promise.resolve()
  #closed = false
  readonly #static = new StaticRoles({
    run: (dbName, statements) => this.#run(dbName, statements),
    password,
    defaultDbName: () => this.#defaultDbName(),
    onError: (error) => this.revocationErrors.push(error),
  })

  constructor(readonly mount: string) {}

  #defaultDbName(): string {
    return (this.#connections.size === 1 ? [...this.#connections.keys()][0] : undefined) ?? 'postgresql'
  }

  /** Adds (or replaces) a static role and sets its user's first password. */
  createStaticRole(options: VaultDatabaseStaticRoleOptions): Promise<void> {
    return this.#static.create(options)
  }

  configure(options: VaultDatabaseConnectionOptions): void {
    const name = options.name ?? 'postgresql'
    const pool = new pg.Pool({ connectionString: options.connectionString, max: 4, allowExitOnIdle: true })
    pool.on('error', () => undefined)
    const previous = this.#connections.get(name)
    this.#connections.set(name, { pool, allowedRoles: options.allowedRoles ?? ['*'] })
    void previous?.pool.end().catch(() => undefined)
  }

  createRole(options: VaultDatabaseRoleOptions): void {
    this.#roles.set(options.name, {
      name: options.name,
      dbName: options.dbName ?? this.#defaultDbName(),
      creationStatements: options.creationStatements ?? DEFAULT_CREATION,
      revocationStatements: options.revocationStatements,
      renewStatements: options.renewStatements ?? DEFAULT_RENEW,
      defaultTtl: options.defaultTtl ?? 3600,
      maxTtl: options.maxTtl ?? 86_400,
    })
  }

  leases(): VaultLease[] {
    return [...this.#leases.values()].map(
      ({ leaseId, role, username, issuedAt, expiresAt, renewable, token }) => ({
        leaseId,
        role,
        username,
        issuedAt,
        expiresAt,
        tokenExpiresAt: tokenEnd(token),
        renewable,
      }),
    )
  }

  /** A token was revoked or expired by hand: its leases go with it, as in Vault. */
  revokeLeasesOf(token: TokenEntry): void {
    for (const lease of [...this.#leases.values()]) {
      if (lease.token !== token) continue
      this.revoke(lease.leaseId).catch((error: Error) => this.revocationErrors.push(error))
    }
  }

  /** Requests under the mount: `creds/<role>`, `roles/<role>`, and the static roles' paths. */
  async handle(request: http.VaultRequest, rest: string, token: TokenEntry): Promise<http.VaultReply> {
    const [kind, name, extra] = rest.split('/')
    if (
      (kind === 'static-roles' || kind === 'static-creds' || kind === 'rotate-role') &&
      extra === undefined
    ) {
      return this.#static.handle(request, kind, name ?? '')
    }
    if (name === undefined || name === '' || extra !== undefined) http.notFound()
    if (kind === 'creds') {
      if (request.method !== 'GET') http.unsupported()
      return this.#creds(name, token)
    }
    if (kind === 'roles' && request.method === 'GET') {
      const role = this.#roles.get(name)
      if (role === undefined) http.notFound()
      return http.ok({
        data: {
          db_name: role.dbName,
          creation_statements: role.creationStatements,
          revocation_statements: role.revocationStatements ?? [],
          renew_statements: role.renewStatements,
          default_ttl: role.defaultTtl,
          max_ttl: role.maxTtl,
        },
        mount_type: 'database',
      })
    }
    return http.notFound()
  }

  /** Whether the lease is one of this engine's (engines of several namespaces share the mount name). */
  owns(leaseId: string): boolean {
    return this.#leases.has(leaseId)
  }

  async renew(leaseId: string, increment: number | undefined): Promise<http.VaultReply> {
    const lease = this.#leases.get(leaseId)
    if (lease === undefined) http.badRequest('lease not found')
    const now = Date.now()
    if (now >= lease.expiresAt) http.badRequest('lease expired')
    if (!lease.renewable) http.badRequest('lease is not renewable')
    const role = this.#roles.get(lease.role)
    const requested = increment ?? (role?.defaultTtl || SYSTEM_TTL)
    const granted = Math.min(requested, Math.max(0, Math.floor((lease.maxExpiresAt - now) / 1000)))
    const expiration = pgExpiration(now + granted * 1000 + EXPIRATION_BUFFER_MS)
    await this.#run(
      lease.dbName,
      (role?.renewStatements ?? DEFAULT_RENEW).map((s) => render(s, { name: lease.username, expiration })),
    )
    lease.expiresAt = now + granted * 1000
    lease.lastRenewal = now
    this.#schedule(lease)
    const warnings =
      granted < requested
        ? [
            `TTL of "${requested}s" exceeded the effective max_ttl of "${granted}s"; TTL value is capped accordingly`,
          ]
        : null
    return http.ok({ lease_id: leaseId, renewable: true, lease_duration: granted, warnings })
  }

  /**
   * Revokes a lease now; an unknown lease is a no-op. When the SQL fails the lease stays and is
   * tried again a second later, as Vault's expiration manager retries revocations.
   */
  async revoke(leaseId: string): Promise<void> {
    const lease = this.#leases.get(leaseId)
    if (lease === undefined) return
    clearTimeout(lease.timer)
    this.#leases.delete(leaseId)
    const run = this.#revocations.then(() => this.#revokeUser(lease))
    this.#revocations = run.catch(() => undefined)
    try {
      await run
    } catch (error) {
      if (this.#closed) throw error
      this.#leases.set(leaseId, lease)
      lease.timer = setTimeout(() => {
        this.revoke(leaseId).catch((e: Error) => this.revocationErrors.push(e))
      }, 1_000)
      lease.timer.unref()
      throw error
    }
  }

  lookup(leaseId: string): http.VaultReply {
    const lease = this.#leases.get(leaseId)
    if (lease === undefined) http.badRequest('invalid lease')
    return http.ok({
      data: {
        id: lease.leaseId,
        issue_time: timestamp(lease.issuedAt),
        expire_time: timestamp(lease.expiresAt),
        last_renewal_time: lease.lastRenewal === undefined ? null : timestamp(lease.lastRenewal),
        renewable: lease.renewable,
        ttl: Math.max(0, Math.round((lease.expiresAt - Date.now()) / 1000)),
      },
    })
  }

  /** Revokes every lease (errors ignored) and closes the connection pools. */
  async close(): Promise<void> {
    this.#closed = true
    this.#static.stop()
    const leases = [...this.#leases.keys()]
    await Promise.allSettled(leases.map((id) => this.revoke(id)))
    await Promise.allSettled([...this.#connections.values()].map((c) => c.pool.end()))
    this.#connections.clear()
  }

  async #creds(roleName: string, token: TokenEntry): Promise<http.VaultReply> {
    const role = this.#roles.get(roleName)
    if (role === undefined) http.badRequest(`unknown role: ${roleName}`)
    const connection = this.#connections.get(role.dbName)
    if (connection === undefined)
      throw new http.VaultHttpError(500, [`no database connection named "${role.dbName}"`])
    if (!connection.allowedRoles.includes('*') && !connection.allowedRoles.includes(roleName)) {
      throw new http.VaultHttpError(500, [`"${roleName}" is not an allowed role`])
    }
    const now = Date.now()
    const maxTtl = role.maxTtl || SYSTEM_TTL
    // A batch token's leases are held by its parent (unless it is an orphan) and end with the
    // batch token's TTL (docs/wire-facts.md#vault-token-management).
    const batch = token.type === 'batch'
    const owner = batch && token.parent !== undefined ? token.parent : token
    const batchLeft = batch ? Math.max(0, Math.floor((tokenEnd(token) - now) / 1000)) : SYSTEM_TTL
    const ttl = Math.min(role.defaultTtl || SYSTEM_TTL, maxTtl, batchLeft)
    const name = username(token.displayName, roleName)
    const secret = password()
    const expiration = pgExpiration(now + ttl * 1000 + EXPIRATION_BUFFER_MS)
    await this.#run(
      role.dbName,
      role.creationStatements.map((s) => render(s, { name, password: secret, expiration })),
    )
    const lease: Lease = {
      leaseId: `${this.mount}/creds/${roleName}/${randomBase62(24)}`,
      role: roleName,
      username: name,
      issuedAt: now,
      expiresAt: now + ttl * 1000,
      renewable: !batch,
      token: owner,
      dbName: role.dbName,
      maxExpiresAt: batch ? now + ttl * 1000 : now + maxTtl * 1000,
      lastRenewal: undefined,
      timer: undefined,
    }
    this.#leases.set(lease.leaseId, lease)
    this.#schedule(lease)
    return http.ok({
      lease_id: lease.leaseId,
      renewable: lease.renewable,
      lease_duration: ttl,
      data: { username: name, password: secret },
      mount_type: 'database',
    })
  }

  /**
   * Revokes the lease when it runs out or its token ends, whichever comes first, as Vault's
   * expiration manager does. A token renewed in the meantime moves the check on.
   */
  #schedule(lease: Lease): void {
    clearTimeout(lease.timer)
    const at = Math.min(lease.expiresAt, tokenEnd(lease.token))
    lease.timer = setTimeout(
      () => {
        const now = Date.now()
        if (now < lease.expiresAt && now < tokenEnd(lease.token)) {
          this.#schedule(lease)
          return
        }
        this.revoke(lease.leaseId).catch((error: Error) => this.revocationErrors.push(error))
      },
      Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())),
    )
    lease.timer.unref()
  }

  /** Runs statements in one transaction; a failure answers 500 with the database's error text. */
  async #run(dbName: string, statements: string[]): Promise<void> {
    const connection = this.#connections.get(dbName)
    if (connection === undefined)
      throw new http.VaultHttpError(500, [`no database connection named "${dbName}"`])
    let client: pg.PoolClient | undefined
    try {
      client = await connection.pool.connect()
      await client.query('BEGIN')
      for (const statement of statements) await client.query(statement)
      await client.query('COMMIT')
    } catch (error) {
      await client?.query('ROLLBACK').catch(() => undefined)
      throw new http.VaultHttpError(500, [(error as Error).message])
    } finally {
      client?.release()
    }
  }

  /** Custom revocation statements, or Vault's default: revoke grants, then `DROP ROLE IF EXISTS`. */
  async #revokeUser(lease: Lease): Promise<void> {
    const role = this.#roles.get(lease.role)
    const expiration = pgExpiration(Date.now())
    if (role?.revocationStatements !== undefined && role.revocationStatements.length > 0) {
      await this.#run(
        lease.dbName,
        role.revocationStatements.map((s) => render(s, { name: lease.username, expiration })),
      )
      return
    }
    const connection = this.#connections.get(lease.dbName)
    if (connection === undefined) return
    const user = quoteIdent(lease.username)
    const exists = await connection.pool.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [lease.username])
    if (exists.rowCount === 0) return
    const schemas = await connection.pool.query<{ table_schema: string }>(
      'SELECT DISTINCT table_schema FROM information_schema.role_table_grants WHERE grantee = $1',
      [lease.username],
    )
    const database = await connection.pool.query<{ db: string }>('SELECT current_database() AS db')
    const statements: string[] = []
    for (const { table_schema } of schemas.rows) {
      statements.push(
        `REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA ${quoteIdent(table_schema)} FROM ${user}`,
      )
      statements.push(`REVOKE USAGE ON SCHEMA ${quoteIdent(table_schema)} FROM ${user}`)
    }
    statements.push(`REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA public FROM ${user}`)
    statements.push(`REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA public FROM ${user}`)
    statements.push(`REVOKE USAGE ON SCHEMA public FROM ${user}`)
    statements.push(
      `REVOKE CONNECT ON DATABASE ${quoteIdent(database.rows[0]?.db ?? 'postgres')} FROM ${user}`,
    )
    await this.#run(lease.dbName, statements)
    await this.#run(lease.dbName, [`DROP ROLE IF EXISTS ${user}`])
  }
}
