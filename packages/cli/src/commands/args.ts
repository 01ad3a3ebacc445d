import { type ParseArgsConfig, parseArgs } from 'node:util'
import { UsageError } from '../errors.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** One command's flags and help text. */
export interface CommandSpec {
  name: string
  summary: string
  usage: string
  /** Flags besides the shared --config, --json and --help. */
  options: Options
  /** Help lines for the flags and behaviour. */
  details: string[]
  /** Accepts positional arguments. @default false */
  positionals?: boolean
}

const SHARED: Options = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
}

/** Parses `argv` for `spec` with node:util parseArgs; a mistake throws {@link UsageError} naming the flag. */
export function parseCommand(spec: CommandSpec, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...SHARED, ...spec.options },
      allowPositionals: spec.positionals === true,
      strict: true,
    })
  } catch (error) {
    const message = (error as Error).message.split('\n')[0] ?? 'invalid arguments'
    throw new UsageError(`latchkey ${spec.name}: ${message} (see latchkey ${spec.name} --help)`)
  }
}

/** The `--help` text of a command. */
export function helpText(spec: CommandSpec): string {
  return [
    `${spec.summary}`,
    '',
    `Usage: ${spec.usage}`,
    '',
    ...spec.details,
    '',
    'Shared flags: --config FILE (default: ./latchkey.config.json|mjs|ts), --json, --help',
    'Exit codes: 0 ok, 1 failed (a secret did not load, scan found values), 2 usage or config error',
    '',
  ].join('\n')
}
