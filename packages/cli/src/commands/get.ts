import { loadConfig } from '../config/load.js'
import type { LatchkeyConfig, SecretConfig } from '../config/schema.js'
import { UsageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { type CliIo, paintFor, writeJson } from '../io.js'
import { SecretLoader } from '../secret-loader.js'
import { type CommandSpec, parseCommand } from './args.js'
import { mask } from './mask.js'

export const GET: CommandSpec = {
  name: 'get',
  summary: 'Read one secret and print a masked view (or the value with --reveal).',
  usage: 'latchkey get NAME [--field FIELD] [--source SOURCE] [--reveal] [--json]',
  options: {
    field: { type: 'string', short: 'f' },
    source: { type: 'string', short: 's' },
    reveal: { type: 'boolean' },
  },
  positionals: true,
  details: [
    'The masked view: length, version, source, and the first and last 2 characters only when the',
    'value has at least 20. --field FIELD selects a field of a JSON secret (as NAME#FIELD does).',
    '--reveal prints the value itself on stdout (a warning goes to stderr when stdout is a terminal).',
    '--source picks the source for a name the config does not list.',
  ],
}

function secretFor(config: LatchkeyConfig, name: string, source: string | undefined): SecretConfig {
  if (source !== undefined) {
    if (config.sources[source] === undefined)
      throw new UsageError(`latchkey get: --source ${source} is not in ${config.file}`)
    return { name, source }
  }
  const base = name.split('#')[0]
  const listed = config.secrets.find((s) => s.name === name || s.name.split('#')[0] === base)
  if (listed !== undefined) return { name, source: listed.source }
  const sources = Object.keys(config.sources)
  if (sources.length === 1) return { name, source: sources[0] as string }
  throw new UsageError(`latchkey get: "${name}" is not in ${config.file}; pass --source`)
}

export async function get(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals: given } = parseCommand(GET, argv)
  const positionals = given as string[]
  if (positionals.length !== 1)
    throw new UsageError('latchkey get: give exactly one secret NAME (see latchkey get --help)')
  const field = values.field as string | undefined
  const name = field === undefined ? (positionals[0] as string) : `${positionals[0]}#${field}`
  const config = await loadConfig({
    cwd: io.cwd,
    ...(values.config === undefined ? {} : { file: values.config as string }),
  })
  const loader = new SecretLoader(config, io.env)
  try {
    const outcome = await loader.load(secretFor(config, name, values.source as string | undefined))
    const reveal = values.reveal === true
    if (outcome.value === undefined) {
      const failure = {
        name,
        source: outcome.source,
        status: outcome.status,
        code: outcome.code ?? null,
        missingPermission: outcome.missingPermission ?? null,
      }
      if (values.json === true) writeJson(io.stdout, { ok: false, ...failure })
      else
        io.stderr.write(
          `latchkey get: ${name}: ${outcome.status} (${outcome.code})${outcome.missingPermission === undefined ? '' : `, missing permission ${outcome.missingPermission}`}\n`,
        )
      return EXIT_CODES.FAILED
    }
    if (reveal && io.stdout.isTTY === true) {
      io.stderr.write(
        `${paintFor(io.stderr, io.env).yellow('warning')}: printing the value of ${name} to the terminal\n`,
      )
    }
    const view = mask(outcome.value)
    if (values.json === true) {
      writeJson(io.stdout, {
        ok: true,
        name,
        source: outcome.source,
        sourceType: outcome.sourceType,
        version: outcome.version ?? null,
        length: view.length,
        masked: view.masked,
        ...(reveal ? { value: outcome.value } : {}),
      })
    } else if (reveal) {
      io.stdout.write(`${outcome.value}\n`)
    } else {
      io.stdout.write(
        `${name}: ${view.masked} (${view.length} characters, version ${outcome.version ?? 'none'}, source ${outcome.source} (${outcome.sourceType}))\n`,
      )
    }
    return EXIT_CODES.OK
  } finally {
    await loader.close()
  }
}
