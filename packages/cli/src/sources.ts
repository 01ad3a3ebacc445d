import { resolve } from 'node:path'
import {
  EnvSource,
  FileSource,
  InvalidOptionsError,
  type LoadedSecret,
  type SecretSource,
} from '@latchkey/core'
import type { LatchkeyConfig, SourceConfig, VaultKvConfig } from './config/schema.js'

/** What the CLI needs of a configured source: the latchkey source, and a way to read the previous version. */
export interface CliSource {
  readonly source: SecretSource
  /**
   * The version before `current`, where the backend keeps one (Secrets Manager AWSPREVIOUS, Vault KV
   * v2 and Parameter Store and Google versions `n - 1`); `undefined` where it has none.
   */
  previous(name: string, current: LoadedSecret, signal: AbortSignal): Promise<LoadedSecret | undefined>
  close(): Promise<void>
}

/** Imports a source package the app has installed (an optional peer), with a clear error when it is missing. */
async function need<T>(specifier: string, load: () => Promise<T>, type: string): Promise<T> {
  try {
    return await load()
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new InvalidOptionsError(
        `sources of type "${type}" need ${specifier} and its SDK installed next to @latchkey/cli (npm install ${specifier})`,
        { cause: error },
      )
    }
    throw error
  }
}

const numberBefore = (version: string | undefined) =>
  version !== undefined && /^\d+$/.test(version) && Number(version) > 1
    ? String(Number(version) - 1)
    : undefined

const none = async () => undefined

/** Vault KV v2 `?version=n`: node-vault's `read` has no query option, so the previous version is one plain GET. */
function vaultPrevious(config: VaultKvConfig, endpoint: string, token: string) {
  return async (
    name: string,
    current: LoadedSecret,
    signal: AbortSignal,
  ): Promise<LoadedSecret | undefined> => {
    const version = numberBefore(current.version)
    if ((config.kvVersion ?? 2) !== 2 || version === undefined) return undefined
    const path = name.split('#')[0] as string
    const url = `${endpoint.replace(/\/+$/, '')}/v1/${config.mount ?? 'secret'}/data/${path}?version=${version}`
    const headers: Record<string, string> = { 'X-Vault-Token': token }
    if (config.namespace !== undefined) headers['X-Vault-Namespace'] = config.namespace
    const response = await fetch(url, { headers, signal })
    if (!response.ok) return undefined
    const body = (await response.json()) as { data?: { data?: Record<string, unknown> | null } }
    const data = body.data?.data
    if (data === null || data === undefined) return undefined
    const { kvValue } = await import('@latchkey/vault')
    return { value: kvValue(data), version }
  }
}

/** Builds the latchkey source one config entry names; `env` is where tokens are read from. */
export async function buildSource(
  config: SourceConfig,
  context: { dir: string; env: NodeJS.ProcessEnv },
): Promise<CliSource> {
  switch (config.type) {
    case 'aws-secrets-manager': {
      const { AwsSecretsManagerSource } = await need(
        '@latchkey/aws',
        () => import('@latchkey/aws'),
        config.type,
      )
      const base = {
        ...(config.region === undefined ? {} : { region: config.region }),
        ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      }
      const source = new AwsSecretsManagerSource(base)
      const earlier = new AwsSecretsManagerSource({ ...base, versionStage: 'AWSPREVIOUS' })
      return {
        source,
        previous: async (name, _current, signal) => {
          try {
            return await earlier.load(name.split('#')[0] as string, { signal })
          } catch {
            return undefined // no AWSPREVIOUS version (never rotated)
          }
        },
        close: async () => {
          await Promise.all([source.close?.(), earlier.close?.()])
        },
      }
    }
    case 'aws-parameter-store': {
      const { AwsParameterStoreSource } = await need(
        '@latchkey/aws',
        () => import('@latchkey/aws'),
        config.type,
      )
      const source = new AwsParameterStoreSource({
        ...(config.region === undefined ? {} : { region: config.region }),
        ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      })
      return {
        source,
        previous: async (name, current, signal) => {
          const version = numberBefore(current.version)
          if (version === undefined) return undefined
          try {
            return await source.load(`${name.split('#')[0]}:${version}`, { signal })
          } catch {
            return undefined
          }
        },
        close: async () => source.close?.(),
      }
    }
    case 'vault-kv': {
      const { VaultKvSource } = await need('@latchkey/vault', () => import('@latchkey/vault'), config.type)
      const endpoint = config.endpoint ?? context.env.VAULT_ADDR
      const tokenEnv = config.tokenEnv ?? 'VAULT_TOKEN'
      const token = context.env[tokenEnv]
      if (endpoint === undefined || endpoint === '') {
        throw new InvalidOptionsError('a vault-kv source needs "endpoint" in the config or VAULT_ADDR set')
      }
      if (token === undefined || token === '') {
        throw new InvalidOptionsError(`a vault-kv source reads its token from ${tokenEnv}, which is not set`)
      }
      const source = new VaultKvSource({
        endpoint,
        auth: { type: 'token', token, renew: false },
        ...(config.mount === undefined ? {} : { mount: config.mount }),
        ...(config.kvVersion === undefined ? {} : { kvVersion: config.kvVersion }),
        ...(config.namespace === undefined ? {} : { namespace: config.namespace }),
      })
      return { source, previous: vaultPrevious(config, endpoint, token), close: async () => source.close?.() }
    }
    case 'google-secret-manager': {
      const { GoogleSecretManagerSource } = await need(
        '@latchkey/google',
        () => import('@latchkey/google'),
        config.type,
      )
      const source = new GoogleSecretManagerSource({ project: config.project })
      return {
        source,
        previous: async (name, current, signal) => {
          const version = numberBefore(current.version)
          if (version === undefined) return undefined
          try {
            return await source.load(`${name.split('#')[0]}@${version}`, { signal })
          } catch {
            return undefined
          }
        },
        close: async () => source.close?.(),
      }
    }
    case 'azure-key-vault': {
      const { AzureKeyVaultSource } = await need(
        '@latchkey/azure',
        () => import('@latchkey/azure'),
        config.type,
      )
      const source = new AzureKeyVaultSource({ vaultUrl: config.vaultUrl })
      return { source, previous: none, close: async () => source.close?.() }
    }
    case 'env': {
      const source = new EnvSource({
        ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
        ...(config.envFile === undefined ? {} : { envFile: resolve(context.dir, config.envFile) }),
      })
      return { source, previous: none, close: async () => undefined }
    }
    case 'file': {
      const source = new FileSource({ dir: resolve(context.dir, config.dir) })
      return { source, previous: none, close: async () => source.close?.() }
    }
  }
}

/** Every configured source, built once, closed together. */
export class SourceSet {
  readonly #config: LatchkeyConfig
  readonly #env: NodeJS.ProcessEnv
  readonly #built = new Map<string, Promise<CliSource>>()

  constructor(config: LatchkeyConfig, env: NodeJS.ProcessEnv) {
    this.#config = config
    this.#env = env
  }

  /** The source named `name` in the config (built on first use). */
  get(name: string): Promise<CliSource> {
    let built = this.#built.get(name)
    if (built === undefined) {
      built = buildSource(this.#config.sources[name] as SourceConfig, {
        dir: this.#config.dir,
        env: this.#env,
      })
      this.#built.set(name, built)
    }
    return built
  }

  async close(): Promise<void> {
    const all = await Promise.allSettled(this.#built.values())
    await Promise.allSettled(all.map((r) => (r.status === 'fulfilled' ? r.value.close() : undefined)))
  }
}
