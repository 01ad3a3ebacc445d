/** Command-line options of the rotation demo. */
export interface DemoOptions {
  /** Total run time in seconds. */
  duration: number
  /** Seconds between two password rotations. */
  rotateEvery: number
  /** Concurrent HTTP clients. */
  concurrency: number
  /** Length of the simulated Secrets Manager outage in seconds (0 skips it). */
  outage: number
  /** Cache TTL for the secrets in seconds. */
  ttl: number
  /** Where the app's log goes. */
  logFile: string | undefined
  /** Force plain periodic lines even on a terminal. */
  plain: boolean
}

export const DEFAULTS: Omit<DemoOptions, 'logFile' | 'plain'> = {
  duration: 30,
  rotateEvery: 3,
  concurrency: 50,
  outage: 6,
  ttl: 4,
}

const HELP = `latchkey rotation demo

A Fastify app on a RotatingPool, its database password rotating underneath it under load.

Options:
  --duration=SECONDS       total run time                        (default ${DEFAULTS.duration})
  --rotate-every=SECONDS   time between password rotations       (default ${DEFAULTS.rotateEvery})
  --concurrency=N          concurrent HTTP clients               (default ${DEFAULTS.concurrency})
  --outage=SECONDS         Secrets Manager outage, 0 to skip     (default ${DEFAULTS.outage})
  --ttl=SECONDS            secret cache TTL                      (default ${DEFAULTS.ttl})
  --log-file=PATH          where the app's log goes              (default: a temp file)
  --plain                  periodic lines instead of a live status line
  --help                   this text
`

/** Parses `--name=value` flags; throws with a message that says what is wrong. */
export function parseOptions(argv: string[]): DemoOptions | 'help' {
  const options: DemoOptions = { ...DEFAULTS, logFile: undefined, plain: false }
  for (const arg of argv) {
    if (arg === '--') continue
    if (arg === '--help' || arg === '-h') return 'help'
    if (arg === '--plain') {
      options.plain = true
      continue
    }
    const match = /^--([a-z-]+)=(.+)$/.exec(arg)
    if (!match) throw new Error(`unknown argument "${arg}"; see --help`)
    const [, key, raw] = match as unknown as [string, string, string]
    if (key === 'log-file') {
      options.logFile = raw
      continue
    }
    const value = Number(raw)
    const numeric: Record<string, keyof typeof DEFAULTS> = {
      duration: 'duration',
      'rotate-every': 'rotateEvery',
      concurrency: 'concurrency',
      outage: 'outage',
      ttl: 'ttl',
    }
    const field = numeric[key]
    if (field === undefined) throw new Error(`unknown option --${key}; see --help`)
    if (!Number.isFinite(value) || value < 0 || (field !== 'outage' && value === 0)) {
      throw new Error(`--${key} must be a ${field === 'outage' ? 'non-negative' : 'positive'} number`)
    }
    options[field] = value
  }
  if (options.concurrency !== Math.floor(options.concurrency))
    throw new Error('--concurrency must be a whole number')
  return options
}

export { HELP }
