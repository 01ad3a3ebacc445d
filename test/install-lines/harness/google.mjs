// google: the first example needs Google Cloud (gRPC, Application Default Credentials), so this
// runs the README's next example, "Tests and local development", with the installed
// @google-cloud/secret-manager and google-auth-library against the emulator (REST), through a
// CachedSecretProvider.
import { createRequire } from 'node:module'
import { CachedSecretProvider } from '@latchkey/core'
import { GoogleSecretManagerSource } from '@latchkey/google'
import { startGoogleSecretManagerEmulator } from '@latchkey/testing/google'
import { OAuth2Client } from 'google-auth-library'
import { check, seed } from './lib.mjs'

const sdk = createRequire(import.meta.url)('@google-cloud/secret-manager/package.json').version
const gsm = await startGoogleSecretManagerEmulator({
  secrets: { app__db: JSON.stringify({ password: seed.password }) },
})
const authClient = new OAuth2Client()
authClient.setCredentials({ access_token: gsm.token })
const secrets = new CachedSecretProvider(
  new GoogleSecretManagerSource({
    project: gsm.project,
    clientOptions: { ...gsm.clientOptions, authClient },
  }),
)
try {
  const first = await secrets.getSecret('app/db#password')
  check(first === seed.password, `@google-cloud/secret-manager ${sdk} read app__db through the emulator`)
  gsm.addVersion('app__db', JSON.stringify({ password: seed.rotated }))
  await secrets.refresh('app/db')
  check((await secrets.getSecret('app/db#password')) === seed.rotated, 'and version 2 after a rotation')
} finally {
  await secrets.close()
  await gsm.close()
}
