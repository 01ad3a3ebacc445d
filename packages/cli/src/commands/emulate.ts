import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { UsageError } from '../errors.js'
import { EXIT_CODES } from '../exit-codes.js'
import { type CliIo, writeJson } from '../io.js'
import { type CommandSpec, parseCommand } from './args.js'

export const EMULATE: CommandSpec = {
  name: 'emulate',
  summary: 'Run the @latchkey/testing emulators (Secrets Manager, Parameter Store, Vault) for local work.',
  usage:
    'latchkey emulate [--port N] [--host H] [--seed secrets.json] [--faults SERVICE:KIND[:TIMES]]… [--json]',
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    seed: { type: 'string' },
    faults: { type: 'string', multiple: true },
  },
  details: [
    '--port N: Secrets Manager on N, Parameter Store on N+1, Vault on N+2 (default 0: free ports).',
    '--seed FILE: {"secretsManager": {name: value}, "parameterStore": {name: value}, "vault": {path: value or object}}.',
    '--faults secrets-manager:throttling:3, parameter-store:accessDenied, vault:sealed… (TIMES default 1, "inf" for ever).',
    'Prints the endpoints and the environment variables to point an app at them (--json: one object),',
    'then runs until SIGINT or SIGTERM, and closes every emulator before exiting 0.',
  ],
}

/** The seed file's shape. */
interface Seed {
  secretsManager?: Record<string, string>
  parameterStore?: Record<string, string>
  vault?: Record<string, string | Record<string, unknown>>
}

function readSeed(path: string): Seed {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new UsageError(
      `latchkey emulate: --seed ${path} is not a readable JSON file (${(error as Error).name})`,
    )
  }
  const fail = (field: string, what: string): never => {
    throw new UsageError(`latchkey emulate: --seed ${path}: ${field} must be ${what}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('the file', 'an object')
  const seed = raw as Record<string, unknown>
  for (const key of Object.keys(seed)) {
    if (!['secretsManager', 'parameterStore', 'vault'].includes(key))
      fail(key, 'one of secretsManager, parameterStore, vault')
    const group = seed[key]
    if (typeof group !== 'object' || group === null || Array.isArray(group))
      fail(key, 'an object of name → value')
    for (const [name, value] of Object.entries(group as object)) {
      const okObject = key === 'vault' && typeof value === 'object' && value !== null && !Array.isArray(value)
      if (typeof value !== 'string' && !okObject)
        fail(`${key}.${name}`, key === 'vault' ? 'a string or an object' : 'a string')
    }
  }
  return seed as Seed
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0
  const port = Number(text)
  if (!Number.isInteger(port) || port < 0 || port > 65_533)
    throw new UsageError('latchkey emulate: --port must be an integer from 0 to 65533')
  return port
}

const SERVICES = ['secrets-manager', 'parameter-store', 'vault'] as const

function parseFault(text: string): { service: (typeof SERVICES)[number]; kind: string; times: number } {
  const [service, kind, times = '1'] = text.split(':')
  if (!SERVICES.includes(service as (typeof SERVICES)[number]) || kind === undefined || kind === '') {
    throw new UsageError(
      `latchkey emulate: --faults "${text}" must be SERVICE:KIND[:TIMES] with SERVICE one of ${SERVICES.join(', ')}`,
    )
  }
  const count = times === 'inf' ? Number.POSITIVE_INFINITY : Number(times)
  if (!(count >= 1) || (Number.isFinite(count) && !Number.isInteger(count))) {
    throw new UsageError(`latchkey emulate: --faults "${text}": TIMES must be a whole number from 1, or inf`)
  }
  return { service: service as (typeof SERVICES)[number], kind, times: count }
}

export async function emulate(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(EMULATE, argv)
  const port = parsePort(values.port as string | undefined)
  const host = (values.host as string | undefined) ?? '127.0.0.1'
  const seed = values.seed === undefined ? {} : readSeed(resolve(io.cwd, values.seed as string))
  const faults = ((values.faults as string[] | undefined) ?? []).map(parseFault)
  const next = (offset: number) => (port === 0 ? 0 : port + offset)
  // loaded here, not at start-up: check, get and scan never need the emulators (or pg, which they import)
  const { startParameterStoreEmulator, startSecretsManagerEmulator, startVaultEmulator } = await import(
    '@latchkey/testing'
  )
  const sm = await startSecretsManagerEmulator({ port: next(0), host })
  const closers: Array<() => Promise<void>> = [() => sm.close()]
  try {
    const ssm = await startParameterStoreEmulator({ port: next(1), host })
    closers.push(() => ssm.close())
    const vault = await startVaultEmulator({ port: next(2), host })
    closers.push(() => vault.close())
    for (const [name, value] of Object.entries(seed.secretsManager ?? {})) sm.createSecret(name, value)
    for (const [name, value] of Object.entries(seed.parameterStore ?? {}))
      ssm.putParameter(name, value, { type: 'SecureString' })
    for (const [path, value] of Object.entries(seed.vault ?? {}))
      vault.kv.write(path, typeof value === 'string' ? { value } : value)
    for (const fault of faults) {
      const target =
        fault.service === 'secrets-manager' ? sm : fault.service === 'parameter-store' ? ssm : vault
      try {
        ;(target.faults.fail as (kind: string, options: { times: number }) => void)(fault.kind, {
          times: fault.times,
        })
      } catch (error) {
        throw new UsageError(
          `latchkey emulate: --faults ${fault.service}:${fault.kind}: ${(error as Error).message}`,
        )
      }
    }
    const env = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint,
      AWS_ENDPOINT_URL_SSM: ssm.endpoint,
      AWS_REGION: sm.region,
      AWS_ACCESS_KEY_ID: sm.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sm.credentials.secretAccessKey,
      VAULT_ADDR: vault.endpoint,
      VAULT_TOKEN: vault.token,
    }
    const endpoints = { secretsManager: sm.endpoint, parameterStore: ssm.endpoint, vault: vault.endpoint }
    if (values.json === true) writeJson(io.stdout, { endpoints, env })
    else {
      io.stdout.write(
        `Secrets Manager  ${sm.endpoint}\nParameter Store  ${ssm.endpoint}\nVault            ${vault.endpoint}\n\n`,
      )
      io.stdout.write(
        "# point an app at them (emulator credentials only; the Vault token is this run's root token):\n",
      )
      for (const [key, value] of Object.entries(env)) io.stdout.write(`export ${key}=${value}\n`)
      io.stderr.write('emulators running; Ctrl-C (SIGINT) or SIGTERM stops them\n')
    }
    const signal = await (io.stopSignal ?? new Promise<string>(() => undefined))
    if (values.json !== true) io.stderr.write(`${signal}: stopping the emulators\n`)
    return EXIT_CODES.OK
  } finally {
    await Promise.allSettled(closers.reverse().map((close) => close()))
  }
}
