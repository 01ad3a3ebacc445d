import { parseArgs } from 'node:util'
import { EnvSource, FileSource, type SecretSource } from '@latchkey/core'

/** The secrets this app needs. With EnvSource they are the variables `DB_PASSWORD` and `API_KEY`. */
export const SECRET_NAMES = { dbPassword: 'db/password', apiKey: 'api/key' } as const

/** Command-line settings of the example. */
export interface ExampleArgs {
  source: 'env' | 'file'
  dir: string | undefined
  port: number
}

/** Reads `--source=env|file`, `--dir=<path>` (file mode) and `--port=<n>`. */
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
  if (source !== 'env' && source !== 'file') {
    throw new Error(`--source must be env or file (got "${source}")`)
  }
  if (source === 'file' && values.dir === undefined) throw new Error('--source=file needs --dir=<directory>')
  const port = Number(values.port)
  if (!Number.isInteger(port) || port < 0) throw new Error(`--port must be a port number (got "${values.port}")`)
  return { source, dir: values.dir, port }
}

/** The source `args` ask for: environment variables (the default) or files in `--dir`. */
export function createSource(args: ExampleArgs, env: NodeJS.ProcessEnv = process.env): SecretSource {
  if (args.source === 'file') return new FileSource({ dir: args.dir as string })
  return new EnvSource({ env })
}
