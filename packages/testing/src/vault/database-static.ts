import { parseDuration, timestamp } from './format.js'
import * as http from './http.js'

/** A static role of the database engine: Vault owns an existing user's password and rotates it. */
export interface VaultDatabaseStaticRoleOptions {
  /** The role name used in `<mount>/static-creds/<name>`. */
  name: string
  /** The existing database user whose password Vault rotates. */
  username: string
  /** Seconds between rotations; at least 5. */
  rotationPeriod: number
  /** The connection to use. @default the only configured connection, else 'postgresql' */
  dbName?: string
  /** SQL that sets the password; `{{name}}` and `{{password}}` are filled in. @default [`ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}'`] */
  rotationStatements?: string[]
  /** The namespace whose database engine holds the role. @default the root namespace */
  namespace?: string
}

/** Vault's PostgreSQL default for static roles. */
const DEFAULT_ROTATION = [`ALTER ROLE "{{name}}" WITH PASSWORD '{{password}}'`]
/** Vault's rotation queue ticks every 5 s: a shorter `rotation_period` is refused. */
const MIN_ROTATION_PERIOD = 5

interface StaticRole {
  name: string
  username: string
  dbName: string
  rotationPeriod: number
  rotationStatements: string[]
  password: string
  lastRotation: number
  timer: ReturnType<typeof setTimeout> | undefined
}

/** What the static roles need of their engine: run SQL on a connection, make passwords, pick a connection. */
export interface StaticRoleHost {
  run(dbName: string, statements: string[]): Promise<void>
  password(): string
  defaultDbName(): string
  onError(error: Error): void
}

function render(statement: string, name: string, password: string): string {
  return statement
    .replace(/\{\{\s*(name|username)\s*\}\}/g, name)
    .replace(/\{\{\s*password\s*\}\}/g, password)
}

/**
 * `static-roles/<name>`, `static-creds/<name>` and `rotate-role/<name>`
 * (docs/wire-facts.md#vault-database-static-roles): the password is set when the role is created,
 * on every `rotation_period`, and on `rotate-role`.
 */
export class StaticRoles {
  readonly #roles = new Map<string, StaticRole>()

  constructor(readonly host: StaticRoleHost) {}

  /** Creates (or replaces) a role and sets its first password now. */
  async create(options: VaultDatabaseStaticRoleOptions): Promise<void> {
    if (!Number.isInteger(options.rotationPeriod) || options.rotationPeriod < MIN_ROTATION_PERIOD) {
      http.badRequest(`rotation_period must be ${MIN_ROTATION_PERIOD} seconds or more`)
    }
    const previous = this.#roles.get(options.name)
    clearTimeout(previous?.timer)
    const role: StaticRole = {
      name: options.name,
      username: options.username,
      dbName: options.dbName ?? this.host.defaultDbName(),
      rotationPeriod: options.rotationPeriod,
      rotationStatements: options.rotationStatements ?? DEFAULT_ROTATION,
      password: '',
      lastRotation: 0,
      timer: undefined,
    }
    await this.#rotate(role)
    this.#roles.set(role.name, role)
  }

  async #rotate(role: StaticRole): Promise<void> {
    const password = this.host.password()
    await this.host.run(
      role.dbName,
      role.rotationStatements.map((s) => render(s, role.username, password)),
    )
    role.password = password
    role.lastRotation = Date.now()
    clearTimeout(role.timer)
    role.timer = setTimeout(() => {
      this.#rotate(role).catch((error: Error) => this.host.onError(error))
    }, role.rotationPeriod * 1000)
    role.timer.unref()
  }

  stop(): void {
    for (const role of this.#roles.values()) clearTimeout(role.timer)
  }

  /** `kind` is `static-roles`, `static-creds` or `rotate-role`; `name` may be `''` for a list. */
  async handle(request: http.VaultRequest, kind: string, name: string): Promise<http.VaultReply> {
    if (kind === 'static-roles' && name === '') {
      if (!request.list) http.unsupported()
      if (this.#roles.size === 0) http.notFound()
      return http.ok({ data: { keys: [...this.#roles.keys()].sort() }, mount_type: 'database' })
    }
    const role = this.#roles.get(name)
    if (kind === 'static-creds') {
      if (request.method !== 'GET') http.unsupported()
      if (role === undefined) http.badRequest(`unknown role: ${name}`)
      return http.ok({
        data: {
          last_vault_rotation: timestamp(role.lastRotation),
          password: role.password,
          rotation_period: role.rotationPeriod,
          ttl: this.#ttl(role),
          username: role.username,
        },
        mount_type: 'database',
      })
    }
    if (kind === 'rotate-role') {
      if (request.method !== 'POST' && request.method !== 'PUT') http.unsupported()
      if (role === undefined) http.badRequest(`unable to find static role ${name}`)
      await this.#rotate(role)
      return http.noContent
    }
    switch (request.method) {
      case 'GET':
        if (role === undefined) http.notFound()
        return http.ok({
          data: {
            credential_type: 'password',
            db_name: role.dbName,
            last_vault_rotation: timestamp(role.lastRotation),
            rotation_period: role.rotationPeriod,
            rotation_statements: role.rotationStatements,
            username: role.username,
          },
          mount_type: 'database',
        })
      case 'POST':
      case 'PUT': {
        const body = request.body ?? {}
        const username = body.username ?? role?.username
        if (typeof username !== 'string' || username === '')
          http.badRequest('username is a required field to create a static account')
        const period = parseDuration(body.rotation_period ?? role?.rotationPeriod)
        if (period === undefined) http.badRequest('rotation_period is required to create static accounts')
        const statements = body.rotation_statements
        await this.create({
          name,
          username,
          rotationPeriod: period,
          ...(typeof body.db_name === 'string'
            ? { dbName: body.db_name }
            : role
              ? { dbName: role.dbName }
              : {}),
          ...(Array.isArray(statements) && statements.length > 0
            ? { rotationStatements: statements.map(String) }
            : {}),
        })
        return http.noContent
      }
      case 'DELETE':
        clearTimeout(role?.timer)
        this.#roles.delete(name)
        return http.noContent
      default:
        return http.unsupported()
    }
  }

  #ttl(role: StaticRole): number {
    return Math.max(0, Math.round((role.lastRotation + role.rotationPeriod * 1000 - Date.now()) / 1000))
  }
}
