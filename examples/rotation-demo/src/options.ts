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
  /**
   * Where the database credentials come from: `secrets-manager` (a stored password the demo
   * rotates) or `rds-iam` (`RdsIamAuthSource` minting IAM auth tokens with a local signer).
   */
  source: DemoSource
  /** Lifetime of one IAM auth token in whole seconds (`rds-iam` only; RDS's own is 900). */
  tokenLifetime: number
}

/** Where the demo's database credentials come from. */
export type DemoSource = 'secrets-manager' | 'rds-iam'

const SOURCES: readonly DemoSource[] = ['secrets-manager', 'rds-iam']

export const DEFAULTS: Omit<DemoOptions, 'logFile' | 'plain' | 'source'> = {
  duration: 30,
  rotateEvery: 3,
  concurrency: 50,
  outage: 6,
  ttl: 4,
  tokenLifetime: 2,
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
  --source=NAME            secrets-manager: a stored password the demo rotates;
                           rds-iam: IAM auth tokens from RdsIamAuthSource (a local
                           signer; the demo plays RDS)          (default secrets-manager)
  --token-lifetime=SECONDS lifetime of one IAM token, rds-iam   (default ${DEFAULTS.tokenLifetime})
  --plain                  periodic lines instead of a live status line
  --help                   this text
`

/** Parses `--name=value` flags; throws with a message that says what is wrong. */
export function parseOptions(argv: string[]): DemoOptions | 'help' {
  const options: DemoOptions = { ...DEFAULTS, logFile: undefined, plain: false, source: 'secrets-manager' }
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
    if (key === 'source') {
      const source = SOURCES.find((name) => name === raw)
      if (source === undefined) throw new Error(`--source must be one of ${SOURCES.join(', ')}`)
      options.source = source
      continue
    }
    const value = Number(raw)
    const numeric: Record<string, keyof typeof DEFAULTS> = {
      duration: 'duration',
      'rotate-every': 'rotateEvery',
      concurrency: 'concurrency',
      outage: 'outage',
      ttl: 'ttl',
      'token-lifetime': 'tokenLifetime',
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
  if (options.tokenLifetime !== Math.floor(options.tokenLifetime))
    throw new Error('--token-lifetime must be a whole number of seconds (X-Amz-Expires)')
  return options
}

export { HELP }
