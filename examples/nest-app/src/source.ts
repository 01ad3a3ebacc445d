import { parseArgs } from 'node:util'
import { EnvSource, FileSource, type SecretSource } from '@latchkey/core'
import type { VaultEmulator } from '@latchkey/testing'

// Deliberately its own copy of examples/shared/src/source.ts: this app's main backend is Vault, and
// its argument handling stays readable alone; the cloud stores come from @latchkey/example-shared.

/** The secrets this app needs. With EnvSource they are the variables `DB_PASSWORD` and `API_KEY`. */
export const SECRET_NAMES = { dbPassword: 'db/password', apiKey: 'api/key' } as const

/** Where the example reads its secrets: `--source=…`. */
export const SOURCES = ['env', 'file', 'vault', 'aws', 'ssm', 'azure', 'google'] as const

/** Command-line settings of the example. */
export interface ExampleArgs {
  source: (typeof SOURCES)[number]
  dir: string | undefined
  port: number
}

/** Reads `--source=env|file|vault|aws|ssm|azure|google`, `--dir=<path>` (file mode) and `--port=<n>`. */
export function readArgs(argv: string[]): ExampleArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string', default: 'env' },
      dir: { type: 'string' },
      port: { type: 'string', default: process.env.PORT ?? '3000' },
    },
  })
  const source = SOURCES.find((known) => known === values.source)
  if (source === undefined) {
    throw new Error(`--source must be ${SOURCES.join(', ')} (got "${values.source}")`)
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
 * The source `args` ask for: environment variables (the default), files in `--dir`, or a local
 * emulator seeded from `DB_PASSWORD` and `API_KEY` and read through the store's real client over
 * HTTP: Vault (`vault`, node-vault), AWS Secrets Manager (`aws`), Parameter Store (`ssm`), Azure
 * Key Vault (`azure`) or Google Secret Manager (`google`).
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
    throw new Error(`--source=${args.source} seeds the local store from DB_PASSWORD and API_KEY; set both`)
  }
  const secrets = { [SECRET_NAMES.dbPassword]: dbPassword, [SECRET_NAMES.apiKey]: apiKey }
  if (args.source === 'vault') {
    const { startVaultBackend } = await import('./vault.js')
    const { source, vault } = await startVaultBackend(secrets)
    return { source, vault, stop: () => vault.close() }
  }
  const shared = await import('@latchkey/example-shared')
  if (args.source === 'aws') {
    const { source, emulator } = await shared.startAwsBackend(secrets)
    return { source, stop: () => emulator.close() }
  }
  const start =
    args.source === 'ssm'
      ? shared.startParameterStoreBackend
      : args.source === 'azure'
        ? shared.startKeyVaultBackend
        : shared.startGoogleBackend
  const { source, close } = await start(secrets)
  return { source, stop: close }
}
