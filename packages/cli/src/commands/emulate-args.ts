import { readFileSync } from 'node:fs'
import { UsageError } from '../errors.js'

/** The emulators `latchkey emulate` runs, in port order (`--port N` gives the first N, the next N+1…). */
export const EMULATED_SERVICES = [
  'secrets-manager',
  'parameter-store',
  'vault',
  'key-vault',
  'google-secret-manager',
] as const

/** One of {@link EMULATED_SERVICES}. */
export type EmulatedService = (typeof EMULATED_SERVICES)[number]

/** The seed file's shape: values by name, per service. */
export interface Seed {
  secretsManager?: Record<string, string>
  parameterStore?: Record<string, string>
  vault?: Record<string, string | Record<string, unknown>>
  keyVault?: Record<string, string>
  googleSecretManager?: Record<string, string>
}

const SEED_KEYS = ['secretsManager', 'parameterStore', 'vault', 'keyVault', 'googleSecretManager']

/** Reads and checks `--seed FILE`; a mistake throws {@link UsageError} naming the field. */
export function readSeed(path: string): Seed {
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
    if (!SEED_KEYS.includes(key)) fail(key, `one of ${SEED_KEYS.join(', ')}`)
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

/** `--port N`: 0 (free ports) or a first port with room for every service after it. */
export function parsePort(text: string | undefined): number {
  if (text === undefined) return 0
  const port = Number(text)
  const last = 65_535 - (EMULATED_SERVICES.length - 1)
  if (!Number.isInteger(port) || port < 0 || port > last)
    throw new UsageError(`latchkey emulate: --port must be an integer from 0 to ${last}`)
  return port
}

/** One `--faults SERVICE:KIND[:TIMES]`. */
export interface FaultArgument {
  service: EmulatedService
  kind: string
  times: number
}

export function parseFault(text: string): FaultArgument {
  const [service, kind, times = '1'] = text.split(':')
  if (!EMULATED_SERVICES.includes(service as EmulatedService) || kind === undefined || kind === '') {
    throw new UsageError(
      `latchkey emulate: --faults "${text}" must be SERVICE:KIND[:TIMES] with SERVICE one of ${EMULATED_SERVICES.join(', ')}`,
    )
  }
  const count = times === 'inf' ? Number.POSITIVE_INFINITY : Number(times)
  if (!(count >= 1) || (Number.isFinite(count) && !Number.isInteger(count))) {
    throw new UsageError(`latchkey emulate: --faults "${text}": TIMES must be a whole number from 1, or inf`)
  }
  return { service: service as EmulatedService, kind, times: count }
}
