/**
 * For the peer-range tests (`src/key-vault/source.peer-keyvault-*.test.ts`): each mocks
 * `@azure/keyvault-secrets` with an older release installed under an npm alias and then runs the
 * package's own emulator-backed suites through {@link keyVaultSuitesOn}, so the source really talks
 * to the emulator through that release. Its first test proves the mock took: the `SecretClient`
 * every module of the file imports (the source's included) is the alias's.
 */
import { createRequire } from 'node:module'
import { SecretClient } from '@azure/keyvault-secrets'
import { describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)

/** The exact version of the release installed as `alias`, from its package.json. */
export function aliasVersion(alias: string): string {
  return (require(`${alias}/package.json`) as { version: string }).version
}

/**
 * Registers a test that the mocked `@azure/keyvault-secrets` is `version`, then the emulator-backed
 * suites (source, malformed replies, service error text), which now run on that release.
 */
export async function keyVaultSuitesOn(alias: string, version: string): Promise<void> {
  describe(`@azure/keyvault-secrets ${version}`, () => {
    it(`is the release the source builds its SecretClient from (${alias})`, async () => {
      expect(aliasVersion(alias)).toBe(version)
      const installed = (await import(alias)) as { SecretClient: unknown }
      expect(SecretClient).toBe(installed.SecretClient)
    })
  })
  await import('../src/key-vault/source.test.js')
  await import('../src/key-vault/malformed.test.js')
  await import('../src/key-vault/service-text.test.js')
}
