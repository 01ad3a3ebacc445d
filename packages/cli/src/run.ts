import { SecretError } from '@latchkey/core'
import { type CommandSpec, helpText } from './commands/args.js'
import { CHECK, check } from './commands/check.js'
import { EMULATE, emulate } from './commands/emulate.js'
import { GET, get } from './commands/get.js'
import { POLICY, policy } from './commands/policy.js'
import { SCAN, scan } from './commands/scan.js'
import { EXIT_CODES } from './exit-codes.js'
import type { CliIo } from './io.js'

const COMMANDS: Record<string, { spec: CommandSpec; run: (argv: string[], io: CliIo) => Promise<number> }> = {
  check: { spec: CHECK, run: check },
  get: { spec: GET, run: get },
  scan: { spec: SCAN, run: scan },
  policy: { spec: POLICY, run: policy },
  emulate: { spec: EMULATE, run: emulate },
}

function overview(): string {
  const rows = Object.values(COMMANDS).map(({ spec }) => `  ${spec.name.padEnd(9)}${spec.summary}`)
  return [
    'latchkey: the jobs around the code, with the secrets an app actually uses',
    '',
    'Usage: latchkey <command> [flags]',
    '',
    ...rows,
    '',
    "latchkey <command> --help for each command's flags.",
    'Exit codes: 0 ok, 1 failed or found, 2 usage or config error, 3 scan incomplete',
    '',
  ].join('\n')
}

/**
 * Runs one `latchkey` command line (`argv` without `node` and the script) and resolves to its exit
 * code. Errors never escape: a usage or config mistake prints its code and message (never a value)
 * on stderr and gives exit code 2.
 */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview())
    return name === undefined ? EXIT_CODES.USAGE : EXIT_CODES.OK
  }
  const command = COMMANDS[name]
  if (command === undefined) {
    io.stderr.write(`latchkey: unknown command "${name}"\n\n${overview()}`)
    return EXIT_CODES.USAGE
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(helpText(command.spec))
    return EXIT_CODES.OK
  }
  try {
    return await command.run(rest, io)
  } catch (error) {
    const code = error instanceof SecretError ? error.code : 'ERR_UNEXPECTED'
    const json = rest.includes('--json')
    if (json)
      io.stdout.write(
        `${JSON.stringify({ ok: false, error: { code, message: (error as Error).message, ...fieldsOf(error) } }, null, 2)}\n`,
      )
    io.stderr.write(`latchkey ${name}: ${code}: ${(error as Error).message}\n`)
    return error instanceof SecretError && error.code === 'ERR_SECRET_INVALID_OPTIONS'
      ? EXIT_CODES.USAGE
      : EXIT_CODES.FAILED
  }
}

function fieldsOf(error: unknown): Record<string, unknown> {
  const { file, field, line } = error as { file?: unknown; field?: unknown; line?: unknown }
  return typeof field === 'string' ? { file, field, line: line ?? null } : {}
}
