import {
  SOURCES as COMMON_SOURCES,
  type OpenedSource as CommonOpenedSource,
  type ExampleArgs,
  openSource as openCommonSource,
  readArgs as readCommonArgs,
} from '@latchkey/example-shared'
import type { VaultEmulator } from '@latchkey/testing'

export { SECRET_NAMES } from '@latchkey/example-shared'

/** Where this example reads its secrets: the shared modes plus `vault`. */
export const SOURCES = ['env', 'file', 'vault', ...COMMON_SOURCES.filter((s) => s !== 'env' && s !== 'file')]

/** A source, and what to stop once the app has closed. */
export interface OpenedSource extends CommonOpenedSource {
  /** Set in `vault` mode: the local Vault the source reads. */
  vault?: VaultEmulator
}

/** Reads `--source=env|file|vault|aws|ssm|azure|google`, `--dir=<path>` (file mode) and `--port=<n>`. */
export function readArgs(argv: string[]): ExampleArgs<string> {
  return readCommonArgs(argv, SOURCES)
}

/**
 * The source `args` ask for: the shared modes (environment, files, the AWS, Azure and Google
 * emulators; see @latchkey/example-shared), or `vault`: a local Vault emulator seeded from
 * `DB_PASSWORD` and `API_KEY`, read over HTTP with node-vault.
 */
export function openSource(
  args: ExampleArgs<string>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedSource> {
  return openCommonSource<OpenedSource>(args, env, {
    vault: async (secrets) => {
      const { startVaultBackend } = await import('./vault.js')
      const { source, vault } = await startVaultBackend(secrets)
      return { source, vault, stop: () => vault.close() }
    },
  })
}
