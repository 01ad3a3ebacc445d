import { parseArgs } from 'node:util'
import { EnvSource, FileSource, type SecretSource } from '@latchkey/core'
import type { SecretsManagerEmulator } from '@latchkey/testing'

/** The secrets this app needs. With EnvSource they are the variables `DB_PASSWORD` and `API_KEY`. */
export const SECRET_NAMES = { dbPassword: 'db/password', apiKey: 'api/key' } as const

/** Where the example reads its secrets: `--source=…`. */
export const SOURCES = ['env', 'file', 'aws', 'ssm', 'azure', 'google'] as const

/** Command-line settings of the example. */
export interface ExampleArgs<Source extends string = (typeof SOURCES)[number]> {
  source: Source
  dir: string | undefined
  port: number
}

/**
 * Reads `--source=env|file|aws|ssm|azure|google` (or one of `sources`, for an app that adds its
 * own), `--dir=<path>` (file mode) and `--port=<n>`.
 */
export function readArgs<Source extends string = (typeof SOURCES)[number]>(
  argv: string[],
  sources: readonly Source[] = SOURCES as unknown as readonly Source[],
): ExampleArgs<Source> {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string', default: 'env' },
      dir: { type: 'string' },
      port: { type: 'string', default: process.env.PORT ?? '3000' },
    },
  })
  const source = sources.find((known) => known === values.source)
  if (source === undefined) {
    throw new Error(`--source must be ${sources.join(', ')} (got "${values.source}")`)
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
  /** Set in `aws` mode: the local Secrets Manager the source reads (`emulator.rotate(name, value)`). */
  emulator?: SecretsManagerEmulator
  stop(): Promise<void>
}

/** A local store an app adds as a `--source` mode: starts it holding `secrets`, with a source that reads it. */
export type Backend<Opened extends OpenedSource = OpenedSource> = (
  secrets: Record<string, string>,
) => Promise<Opened>

/**
 * The source `args` ask for: environment variables (the default), files in `--dir`, or a local
 * emulator of a cloud store seeded from `DB_PASSWORD` and `API_KEY` and read through that store's
 * real SDK over HTTP: AWS Secrets Manager (`aws`), AWS Systems Manager Parameter Store (`ssm`),
 * Azure Key Vault (`azure`), Google Secret Manager (`google`), or one of the app's own `backends`.
 */
export async function openSource<Opened extends OpenedSource = OpenedSource>(
  args: ExampleArgs<string>,
  env: NodeJS.ProcessEnv = process.env,
  backends: Record<string, Backend<Opened>> = {},
): Promise<Opened | OpenedSource> {
  const nothingToStop = async (): Promise<void> => undefined
  if (args.source === 'env') return { source: new EnvSource({ env }), stop: nothingToStop }
  if (args.source === 'file')
    return { source: new FileSource({ dir: args.dir as string }), stop: nothingToStop }
  const { DB_PASSWORD: dbPassword, API_KEY: apiKey } = env
  if (dbPassword === undefined || apiKey === undefined) {
    throw new Error(`--source=${args.source} seeds the local store from DB_PASSWORD and API_KEY; set both`)
  }
  const secrets = { [SECRET_NAMES.dbPassword]: dbPassword, [SECRET_NAMES.apiKey]: apiKey }
  const own = backends[args.source]
  if (own !== undefined) return own(secrets)
  if (args.source === 'aws') {
    const { startAwsBackend } = await import('./aws.js')
    const { source, emulator } = await startAwsBackend(secrets)
    return { source, emulator, stop: () => emulator.close() }
  }
  const cloud = await import('./cloud.js')
  const start =
    args.source === 'ssm'
      ? cloud.startParameterStoreBackend
      : args.source === 'azure'
        ? cloud.startKeyVaultBackend
        : cloud.startGoogleBackend
  const { source, close } = await start(secrets)
  return { source, stop: close }
}
