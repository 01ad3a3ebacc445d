import { readFile } from 'node:fs/promises'
import { SecretAccessDeniedError, SecretNotFoundError, SecretUnavailableError } from '../errors.js'
import { checkSourceOptionNames, optionKeys } from '../option-keys.js'
import type { LoadContext, LoadedSecret, SecretSource } from '../types.js'
import { parseDotenv } from './dotenv.js'

/** Options for {@link EnvSource}. */
export interface EnvSourceOptions {
  /** Prepended to every variable name: with `'APP_'`, `db/password` reads `APP_DB_PASSWORD`. @default '' */
  prefix?: string
  /** A `.env` file read on every load; variables already in the environment win. */
  envFile?: string
  /** The environment to read. @default process.env */
  env?: NodeJS.ProcessEnv
}

/** The variable a secret name maps to: `db/password` → `DB_PASSWORD`. */
export function envVariableName(name: string, prefix = ''): string {
  return `${prefix}${name
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()}`
}

/** Secrets from environment variables (and optionally a `.env` file), for local runs and migrations. */
export class EnvSource implements SecretSource {
  readonly name = 'env'
  readonly #prefix: string
  readonly #envFile: string | undefined
  readonly #env: NodeJS.ProcessEnv

  constructor(options: EnvSourceOptions = {}) {
    checkSourceOptionNames(options, ENV_OPTION_KEYS, 'EnvSource')
    this.#prefix = options.prefix ?? ''
    this.#envFile = options.envFile
    this.#env = options.env ?? process.env
  }

  async load(name: string, _ctx?: LoadContext): Promise<LoadedSecret> {
    const variable = envVariableName(name, this.#prefix)
    const fromEnv = this.#env[variable]
    if (fromEnv !== undefined) return { value: fromEnv }
    if (this.#envFile !== undefined) {
      const fromFile = (await this.#readEnvFile(name)).get(variable)
      if (fromFile !== undefined) return { value: fromFile }
    }
    throw new SecretNotFoundError(
      { secretName: name, source: this.name },
      `secret "${name}" was not found: environment variable ${variable} is not set`,
    )
  }

  async #readEnvFile(name: string): Promise<Map<string, string>> {
    try {
      return parseDotenv(await readFile(this.#envFile as string, 'utf8'))
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      const context = { secretName: name, source: this.name, cause: error }
      if (code === 'ENOENT') return new Map()
      if (code === 'EACCES' || code === 'EPERM') throw new SecretAccessDeniedError(context)
      throw new SecretUnavailableError(context)
    }
  }
}

const ENV_OPTION_KEYS = optionKeys<EnvSourceOptions>({ prefix: true, envFile: true, env: true })
