/** One Vault emulator per test file, with a node-vault client holding its root token. */
import vault from 'node-vault'
import { afterAll, beforeAll } from 'vitest'
import { startVaultEmulator, type VaultEmulator } from '../src/vault/index.js'

/** The file's emulator and client, set in `beforeAll`: read them inside a test or hook. */
export interface VaultClientFixture {
  readonly emulator: VaultEmulator
  readonly client: ReturnType<typeof vault>
}

/** Starts the emulator and its client before the file's tests and closes the emulator after them. */
export function vaultClientForFile(): VaultClientFixture {
  const fixture = {} as { -readonly [K in keyof VaultClientFixture]: VaultClientFixture[K] }
  beforeAll(async () => {
    fixture.emulator = await startVaultEmulator()
    fixture.client = vault({ endpoint: fixture.emulator.endpoint, token: fixture.emulator.token })
  })
  afterAll(() => fixture.emulator?.close())
  return fixture
}
