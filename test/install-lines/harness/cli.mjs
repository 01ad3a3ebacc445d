// cli: the README's run(['check', '--json']) with a latchkey.config.json naming the Secrets Manager
// emulator (reached through AWS_ENDPOINT_URL_SECRETS_MANAGER, as `latchkey emulate` prints).
import { writeFileSync } from 'node:fs'
import { startSecretsManagerEmulator } from '@latchkey/testing/aws'
import { awsEnv, check, runExample, seed } from './lib.mjs'

const aws = await startSecretsManagerEmulator({
  secrets: {
    'app/db': JSON.stringify({ username: 'app', password: seed.password }),
    'app/api-key': seed.key,
  },
})
writeFileSync(
  'latchkey.config.json',
  JSON.stringify({
    sources: { aws: { type: 'aws-secrets-manager', region: aws.region } },
    secrets: ['app/db#password', 'app/api-key'],
  }),
)
try {
  const { code, out } = await runExample(awsEnv(aws, 'AWS_ENDPOINT_URL_SECRETS_MANAGER'))
  check(code === 0, `check exited 0 (it exited ${code})`)
  const report = JSON.parse(out.slice(out.indexOf('{')))
  check(report.ok === true, 'the JSON report says ok')
  const names = report.secrets.map((s) => `${s.name}:${s.status}`).join(', ')
  check(names === 'app/db#password:ok, app/api-key:ok', `both secrets loaded (${names})`)
  check(aws.callCount('GetSecretValue') + aws.callCount('BatchGetSecretValue') >= 1, 'from the emulator')
} finally {
  await aws.close()
}
