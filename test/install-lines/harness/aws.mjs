// aws: the README example against the Secrets Manager emulator, reached through the SDK's
// AWS_ENDPOINT_URL_SECRETS_MANAGER, in the Region the example names.
import { startSecretsManagerEmulator } from '@latchkey/testing/aws'
import { awsEnv, check, runExample, seed } from './lib.mjs'

const aws = await startSecretsManagerEmulator({
  region: 'eu-west-1',
  secrets: {
    'prod/db': JSON.stringify({ username: 'app', password: seed.password }),
    'prod/stripe-key': seed.key,
  },
})
try {
  const { code, out } = await runExample(awsEnv(aws, 'AWS_ENDPOINT_URL_SECRETS_MANAGER'))
  check(code === 0, `the example exited 0 (it exited ${code})`)
  check(!/Error/.test(out), 'the example printed no error')
  const batch = aws.calls('BatchGetSecretValue')
  check(batch.length === 1, `preload made 1 BatchGetSecretValue call (${batch.length})`)
  check(batch[0].secretIds.join(',') === 'prod/db,prod/stripe-key', 'for prod/db and prod/stripe-key')
  check(
    aws.calls().every((c) => c.status === 200),
    'every call answered 200',
  )
} finally {
  await aws.close()
}
