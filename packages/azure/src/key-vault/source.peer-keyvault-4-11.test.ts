/**
 * The emulator-backed source suites on `@azure/keyvault-secrets` 4.11.2 (the `keyvault-4-11` alias):
 * every import of the SDK in this file's module graph, the source's included, resolves to it.
 */
import { vi } from 'vitest'
import { keyVaultSuitesOn } from '../../test/keyvault-release.js'

vi.mock('@azure/keyvault-secrets', () => import('keyvault-4-11'))

await keyVaultSuitesOn('keyvault-4-11', '4.11.2')
