// vault: the README example against the Vault emulator, at VAULT_ADDR, logging in with AppRole.
import { startVaultEmulator } from '@latchkey/testing/vault'
import { check, runExample, seed } from './lib.mjs'

const vault = await startVaultEmulator()
vault.kv.write('app/stripe', { value: seed.key })
vault.kv.write('app/db', { username: 'app', password: seed.password })
const { roleId, secretId } = vault.addAppRole({
  roleName: 'app',
  token: { ttl: 60, allow: ['secret/data/app/*'] },
})
try {
  const { code, out } = await runExample({
    VAULT_ADDR: vault.endpoint,
    VAULT_ROLE_ID: roleId,
    VAULT_SECRET_ID: secretId,
  })
  check(code === 0, `the example exited 0 (it exited ${code})`)
  check(!/Error/.test(out), 'the example printed no error')
  check(vault.calls.count('auth/approle/login') === 1, 'it logged in once with AppRole')
  check(vault.calls.count('secret/data/app/stripe') === 1, 'it read secret/data/app/stripe once')
  check(
    vault.calls.count('secret/data/app/db') === 1,
    'it read secret/data/app/db once (one cache entry for the key and its field)',
  )
} finally {
  await vault.close()
}
