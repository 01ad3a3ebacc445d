/** One Vault emulator per test file, with a node-vault client holding its root token. */
import vault from 'node-vault'
import { afterAll, beforeAll } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '../src/vault/index.js'

/** The file's emulator and client; read them inside a test or hook. */
export interface VaultClientFixture {
  readonly emulator: VaultEmulator
  readonly client: ReturnType<typeof vault>
}

/** Starts the emulator and its client before the file's tests and closes the emulator after them. */
export function vaultClientForFile(): VaultClientFixture {
  let started: VaultClientFixture | undefined
  beforeAll(async () => {
    const emulator = await startVaultEmulator()
    started = { emulator, client: vault({ endpoint: emulator.endpoint, token: emulator.token }) }
  })
  afterAll(() => started?.emulator.close())
  const running = () => {
    if (started === undefined) throw new Error('vaultClientForFile(): read it inside a test or hook')
    return started
  }
  return {
    get emulator() {
      return running().emulator
    },
    get client() {
      return running().client
    },
  }
}
