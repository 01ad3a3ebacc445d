import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { AwsSecretsManagerSource } from '@latchkey/aws'
import { CachedSecretProvider } from '@latchkey/core'
import { startSecretsManagerEmulator } from '@latchkey/testing'

const em = await startSecretsManagerEmulator()
em.createSecret('k', 'value-1234567')
const client = new SecretsManagerClient({ ...em.clientConfig, maxAttempts: 1 })
const p = new CachedSecretProvider(new AwsSecretsManagerSource({ client }), {
  ttl: 2000,
  retry: { retries: 2, baseDelay: 50, maxDelay: 500 },
  timeout: 2000,
})
p.on('stale', (e) => console.log(Date.now() % 100000, 'stale', e.error.code))
p.on('error', (e) => console.log(Date.now() % 100000, 'error', e.error.code, e.error.message))
await p.preload(['k'])
em.faults.fail('internal', { times: Number.POSITIVE_INFINITY, operation: 'GetSecretValue' })
for (let i = 0; i < 12; i++) {
  const t = Date.now()
  await p.getSecret('k')
  console.log(
    Date.now() % 100000,
    'get took',
    Date.now() - t,
    'ms',
    p.stats().staleServed,
    em.callCount('GetSecretValue'),
  )
  await new Promise((r) => setTimeout(r, 500))
}
await p.close()
await em.close()
client.destroy()
