// azure: the first example needs a real vault and Entra ID (a fixed vaultUrl, DefaultAzureCredential),
// so this runs the README's next example, "Tests and local development", with the installed
// @azure/keyvault-secrets (4.11 on Node.js 20, from that line's install command) against the
// Key Vault emulator over HTTPS, through a CachedSecretProvider.
import { createRequire } from 'node:module'
import { AzureKeyVaultSource } from '@latchkey/azure'
import { CachedSecretProvider } from '@latchkey/core'
import { startKeyVaultEmulator } from '@latchkey/testing/azure'
import { check, seed } from './lib.mjs'

const sdk = createRequire(import.meta.url)('@azure/keyvault-secrets/package.json').version
const kv = await startKeyVaultEmulator({
  secrets: { 'app--db': JSON.stringify({ password: seed.password }) },
})
const secrets = new CachedSecretProvider(
  new AzureKeyVaultSource({
    vaultUrl: kv.vaultUrl,
    credential: kv.credential,
    clientOptions: kv.clientOptions,
  }),
)
try {
  const first = await secrets.getSecret('app/db#password')
  check(first === seed.password, `@azure/keyvault-secrets ${sdk} read app--db through the emulator`)
  kv.setSecret('app--db', JSON.stringify({ password: seed.rotated }))
  await secrets.refresh('app/db')
  check((await secrets.getSecret('app/db#password')) === seed.rotated, 'and its new version after a rotation')
} finally {
  await secrets.close()
  await kv.close()
}
