import { startVaultEmulator, type VaultEmulator } from '@latchkey/testing'
import { VaultKvSource } from '@latchkey/vault'

/**
 * Starts the local Vault emulator, writes each secret to the KV v2 mount `secret` as `{ value }`,
 * and returns a source that reads them over HTTP with node-vault, as it would from a real Vault.
 */
export async function startVaultBackend(
  secrets: Record<string, string>,
): Promise<{ source: VaultKvSource; vault: VaultEmulator }> {
  const vault = await startVaultEmulator()
  for (const [name, value] of Object.entries(secrets)) vault.kv.write(name, { value })
  const source = new VaultKvSource({ endpoint: vault.endpoint, auth: { type: 'token', token: vault.token } })
  return { source, vault }
}
