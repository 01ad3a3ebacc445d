import { randomBytes } from 'node:crypto'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import {
  type RunningPostgres,
  type SecretsManagerEmulator,
  startPostgres,
  startSecretsManagerEmulator,
} from '@latchkey/testing'
import type { DemoSource } from './options.js'

export const DB_SECRET = 'demo/db'
export const API_KEY_SECRET = 'demo/api-key'
export const USERS = ['demo_app_a', 'demo_app_b'] as const
/** The database role that logs in with IAM auth tokens in `--source=rds-iam`. */
export const IAM_USER = 'demo_iam'

/** The RDS rotation format. */
export interface DbSecret {
  engine: 'postgres'
  host: string
  port: number
  dbname: string
  username: string
  password: string
}

/** Everything the demo runs against, and every secret value it ever made (for the leak check). */
export interface Infra {
  db: RunningPostgres
  emulator: SecretsManagerEmulator
  /** An SDK client for the "rotation Lambda" (the app has its own). */
  rotationClient: SecretsManagerClient
  current: DbSecret
  apiKey: string
  allValues: Set<string>
  close(): Promise<void>
}

/** A password with the characters that break naive escaping. */
export function newPassword(): string {
  return `pw-${randomBytes(9).toString('base64url')}"%+/&=\\`
}

function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

/** Starts PostgreSQL and the emulator; with `rds-iam`, also the role that logs in with IAM tokens. */
export async function startInfra(source: DemoSource = 'secrets-manager'): Promise<Infra> {
  const db = await startPostgres()
  const emulator = await startSecretsManagerEmulator()
  const allValues = new Set<string>([db.password])
  const passwords: string[] = []
  await db.query('CREATE TABLE orders (id int PRIMARY KEY, item text NOT NULL, total numeric NOT NULL)')
  await db.query("INSERT INTO orders SELECT g, 'item ' || g, g * 1.5 FROM generate_series(1, 100) g")
  for (const user of USERS) {
    const password = newPassword()
    passwords.push(password)
    allValues.add(password)
    await db.query(`CREATE ROLE ${user} LOGIN PASSWORD ${quoteLiteral(password)}`)
    await db.query(`GRANT SELECT ON orders TO ${user}`)
  }
  if (source === 'rds-iam') {
    // No password anyone knows until the first token is minted (RDS: GRANT rds_iam TO demo_iam).
    await db.query(`CREATE ROLE ${IAM_USER} LOGIN PASSWORD ${quoteLiteral(newPassword())}`)
    await db.query(`GRANT SELECT ON orders TO ${IAM_USER}`)
  }
  const current: DbSecret = {
    engine: 'postgres',
    host: db.host,
    port: db.port,
    dbname: db.database,
    username: USERS[0],
    password: passwords[0] as string,
  }
  const apiKey = `key-${randomBytes(16).toString('hex')}`
  allValues.add(apiKey)
  emulator.createSecret(DB_SECRET, JSON.stringify(current))
  emulator.createSecret(API_KEY_SECRET, apiKey)
  // The second user's password is known only to the database until an alternating rotation sets it.
  const rotationClient = new SecretsManagerClient({ ...emulator.clientConfig, maxAttempts: 1 })
  return {
    db,
    emulator,
    rotationClient,
    current,
    apiKey,
    allValues,
    async close() {
      rotationClient.destroy()
      await emulator.close()
      await db.stop()
    },
  }
}

export { quoteLiteral }
