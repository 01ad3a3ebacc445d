import { parseArgs } from 'node:util'
import { EnvSource, FileSource, type SecretSource } from '@latchkey/core'
import type { VaultEmulator } from '@latchkey/testing'

// Deliberately its own copy of examples/shared/src/source.ts: this app reads Vault, not AWS, and stays readable alone.

/** The secrets this app needs. With EnvSource they are the variables `DB_PASSWORD` and `API_KEY`. */
export const SECRET_NAMES = { dbPassword: 'db/password', apiKey: 'api/key' } as const

/** Command-line settings of the example. */
export interface ExampleArgs {
  source: 'env' | 'file' | 'vault'
  dir: string | undefined
  port: number
}

/** Reads `--source=env|file|vault`, `--dir=<path>` (file mode) and `--port=<n>`. */
export function readArgs(argv: string[]): ExampleArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string', default: 'env' },
      dir: { type: 'string' },
      port: { type: 'string', default: process.env.PORT ?? '3000' },
    },
  })
  const source = values.source
  if (source !== 'env' && source !== 'file' && source !== 'vault') {
    throw new Error(`--source must be env, file or vault (got "${source}")`)
  }
  if (source === 'file' && values.dir === undefined) throw new Error('--source=file needs --dir=<directory>')
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0)
    throw new Error(`--port must be a port number (got "${values.port}")`)
  return { source, dir: values.dir, port }
}

/** A source, and what to stop once the app has closed. */
export interface OpenedSource {
  source: SecretSource
  /** Set in `vault` mode: the local Vault the source reads. */
  vault?: VaultEmulator
  stop(): Promise<void>
}

/**
 * The source `args` ask for: environment variables (the default), files in `--dir`, or (`vault`) a
 * local Vault emulator seeded from `DB_PASSWORD` and `API_KEY`, read through node-vault.
 */
export async function openSource(
  args: ExampleArgs,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenedSource> {
  const nothingToStop = async (): Promise<void> => undefined
  if (args.source === 'env') return { source: new EnvSource({ env }), stop: nothingToStop }
  if (args.source === 'file')
    return { source: new FileSource({ dir: args.dir as string }), stop: nothingToStop }
  const { DB_PASSWORD: dbPassword, API_KEY: apiKey } = env
  if (dbPassword === undefined || apiKey === undefined) {
    throw new Error('--source=vault seeds the local Vault from DB_PASSWORD and API_KEY; set both')
  }
  const { startVaultBackend } = await import('./vault.js')
  const { source, vault } = await startVaultBackend({
    [SECRET_NAMES.dbPassword]: dbPassword,
    [SECRET_NAMES.apiKey]: apiKey,
  })
  return { source, vault, stop: () => vault.close() }
}
