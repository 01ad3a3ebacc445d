import { randomUUID } from 'node:crypto'
import { PutSecretValueCommand, UpdateSecretVersionStageCommand } from '@aws-sdk/client-secrets-manager'
import pg from 'pg'
import { DB_SECRET, type DbSecret, type Infra, newPassword, quoteLiteral, USERS } from './infra.js'

export type RotationStrategy = 'single-user' | 'alternating-users'

/**
 * Rotates the database password the way the AWS rotation Lambdas do, in four steps:
 * createSecret (stage AWSPENDING) → setSecret (change the database) → testSecret (log in) →
 * finishSecret (move AWSCURRENT). In single-user mode the database changes before the secret,
 * so for a moment every new connection made with the current secret is refused.
 */
export async function rotate(infra: Infra, strategy: RotationStrategy): Promise<DbSecret> {
  const previous = infra.current
  const username =
    strategy === 'single-user' ? previous.username : (USERS.find((u) => u !== previous.username) as string)
  const next: DbSecret = { ...previous, username, password: newPassword() }
  infra.allValues.add(next.password)
  const token = randomUUID()

  const pending = await infra.rotationClient.send(
    new PutSecretValueCommand({
      SecretId: DB_SECRET,
      SecretString: JSON.stringify(next),
      VersionStages: ['AWSPENDING'],
      ClientRequestToken: token,
    }),
  )
  await infra.db.query(`ALTER ROLE ${next.username} PASSWORD ${quoteLiteral(next.password)}`)
  const probe = new pg.Client({
    host: next.host,
    port: next.port,
    database: next.dbname,
    user: next.username,
    password: next.password,
  })
  await probe.connect()
  await probe.query('SELECT 1')
  await probe.end()
  const current = Object.entries(infra.emulator.versions(DB_SECRET)).find(([, stages]) =>
    stages.includes('AWSCURRENT'),
  )?.[0]
  await infra.rotationClient.send(
    new UpdateSecretVersionStageCommand({
      SecretId: DB_SECRET,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: pending.VersionId,
      ...(current === undefined ? {} : { RemoveFromVersionId: current }),
    }),
  )
  infra.current = next
  return next
}
