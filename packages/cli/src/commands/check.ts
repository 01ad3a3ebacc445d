import { loadConfig } from '../config/load.js'
import { EXIT_CODES } from '../exit-codes.js'
import { type CliIo, paintFor, writeJson } from '../io.js'
import { type LoadOutcome, SecretLoader } from '../secret-loader.js'
import { type CommandSpec, parseCommand } from './args.js'

export const CHECK: CommandSpec = {
  name: 'check',
  summary: 'Load every configured secret through its real source; never prints a value.',
  usage: 'latchkey check [--config FILE] [--json]',
  options: {},
  details: [
    'Per secret: ok, not-found, access-denied, unavailable or error; the version; the load time;',
    'and the permission the service said is missing. Exit 0 only when every secret loads.',
  ],
}

/** The `--json` shape of one secret in `check` (stable; README "JSON output"). */
export interface CheckEntry {
  name: string
  source: string
  sourceType: string
  status: LoadOutcome['status']
  version: string | null
  code: string | null
  missingPermission: string | null
  loadMs: number
  /** Seconds since the current value was created, where the backend says (null elsewhere). */
  ageSeconds: number | null
}

const entryOf = (o: LoadOutcome): CheckEntry => ({
  name: o.name,
  source: o.source,
  sourceType: o.sourceType,
  status: o.status,
  version: o.version ?? null,
  code: o.code ?? null,
  missingPermission: o.missingPermission ?? null,
  loadMs: Math.round(o.loadMs),
  ageSeconds: o.ageMs === undefined ? null : Math.floor(o.ageMs / 1000),
})

/** `90061` → `1d 1h`, `3700` → `1h 1m`, `42` → `42s`. */
function ageText(seconds: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ]
  const parts: string[] = []
  let rest = seconds
  for (const [unit, size] of units) {
    if (rest >= size || (parts.length === 0 && unit === 's')) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
    if (parts.length === 2) break
  }
  return parts.join(' ')
}

export async function check(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(CHECK, argv)
  const config = await loadConfig({
    cwd: io.cwd,
    ...(values.config === undefined ? {} : { file: values.config as string }),
  })
  const loader = new SecretLoader(config, io.env)
  try {
    const outcomes = await Promise.all(config.secrets.map((secret) => loader.load(secret)))
    const entries = outcomes.map(entryOf)
    const ok = entries.every((e) => e.status === 'ok')
    if (values.json === true) {
      writeJson(io.stdout, { ok, secrets: entries })
    } else {
      const paint = paintFor(io.stdout, io.env)
      const width = Math.max(...entries.map((e) => e.name.length))
      for (const e of entries) {
        const status = e.status.padEnd(13)
        const mark = e.status === 'ok' ? paint.green(status) : paint.red(status)
        const details = [
          `source ${e.source} (${e.sourceType})`,
          e.version === null ? undefined : `version ${e.version}`,
          e.ageSeconds === null ? undefined : `age ${ageText(e.ageSeconds)}`,
          `${e.loadMs} ms`,
          e.code === null ? undefined : e.code,
          e.missingPermission === null ? undefined : `missing permission ${paint.bold(e.missingPermission)}`,
        ].filter((d) => d !== undefined)
        io.stdout.write(`${mark} ${e.name.padEnd(width)}  ${paint.dim(details.join(', '))}\n`)
      }
      const failed = entries.filter((e) => e.status !== 'ok').length
      io.stdout.write(
        failed === 0
          ? `${entries.length} of ${entries.length} secrets loaded\n`
          : `${failed} of ${entries.length} secrets did not load\n`,
      )
    }
    return ok ? EXIT_CODES.OK : EXIT_CODES.FAILED
  } finally {
    await loader.close()
  }
}
