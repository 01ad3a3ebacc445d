// pg: the README RotatingPool against real PostgreSQL (password auth), its credentials in the
// Secrets Manager emulator in the RDS rotation format, reached through AWS_ENDPOINT_URL_SECRETS_MANAGER.

import { startSecretsManagerEmulator } from '@latchkey/testing/aws'
import { startPostgres } from '@latchkey/testing/postgres'
import { awsEnv, check, runExample, seed } from './lib.mjs'

const db = await startPostgres()
await db.query(`CREATE ROLE app LOGIN PASSWORD '${seed.password}'`)
const aws = await startSecretsManagerEmulator({
  region: 'eu-west-1',
  secrets: {
    'prod/app/db': JSON.stringify({
      username: 'app',
      password: seed.password,
      host: db.host,
      port: db.port,
      dbname: db.database,
    }),
  },
})
try {
  const { code, out } = await runExample(awsEnv(aws, 'AWS_ENDPOINT_URL_SECRETS_MANAGER'))
  check(code === 0, `the example exited 0 (it exited ${code})`)
  check(!/Error/.test(out), 'the example printed no error')
  check(aws.callCount('GetSecretValue') === 1, 'it read prod/app/db once')
  const logins = await db.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = 'app'")
  check(logins.rows[0].n === 0, 'pool.end() closed its connections')
} finally {
  await aws.close()
  await db.stop()
}
