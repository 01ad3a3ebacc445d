import { InvalidOptionsError, type SecretInfo } from '@latchkey/core'

/** The part of a provider the ORM helpers use: `CachedSecretProvider` fits. */
export interface OrmCredentialsProvider {
  getJson<T = unknown>(name: string): Promise<T>
  describe(name: string): SecretInfo | undefined
}

/** Login fields read from an RDS-format JSON secret. */
export interface OrmCredentials {
  user: string
  password: string
  host?: string
  port?: number
  database?: string
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

/** Throws `InvalidOptionsError` naming the argument unless `provider` and `secret` are usable. */
export function checkOrmArguments(helper: string, provider: unknown, secret: unknown): void {
  const p = provider as Partial<OrmCredentialsProvider> | null
  if (typeOf(p) !== 'object' || typeof p?.getJson !== 'function' || typeof p.describe !== 'function') {
    throw new InvalidOptionsError(
      `${helper}: { provider } must be a CachedSecretProvider (getJson() and describe())`,
    )
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new InvalidOptionsError(`${helper}: { secret } must be a non-empty string, got ${typeOf(secret)}`)
  }
}

/**
 * Reads `{ username, password, host?, port?, dbname? }` from the secret. Throws `InvalidOptionsError`
 * naming the field (never its value) when the secret does not have that shape.
 */
export async function readOrmCredentials(
  helper: string,
  provider: OrmCredentialsProvider,
  secret: string,
): Promise<{ credentials: OrmCredentials; version: string | undefined }> {
  const json = await provider.getJson<Record<string, unknown>>(secret)
  const version = provider.describe(secret)?.version
  if (typeOf(json) !== 'object') {
    throw new InvalidOptionsError(`${helper}: secret ${secret} must be a JSON object { username, password }`)
  }
  for (const key of ['username', 'password'] as const) {
    if (typeof json[key] !== 'string') {
      throw new InvalidOptionsError(`${helper}: secret ${secret} has no string field ${key}`)
    }
  }
  const credentials: OrmCredentials = { user: json.username as string, password: json.password as string }
  if (typeof json.host === 'string') credentials.host = json.host
  if (typeof json.port === 'number' || typeof json.port === 'string') credentials.port = Number(json.port)
  if (typeof json.dbname === 'string') credentials.database = json.dbname
  return { credentials, version }
}
