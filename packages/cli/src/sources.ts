import { statSync } from 'node:fs'
import { join, resolve } from 'node:path'
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
  /**
   * When the current value was created (ms since the epoch), where the backend says so with the
   * read permission alone: Secrets Manager's `CreatedDate`, Vault KV v2's `created_time`, a file's
   * modification time. `undefined` elsewhere or when the read fails.
   */
  createdAt(name: string, signal: AbortSignal): Promise<number | undefined>
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
const unknown = async () => undefined

type KvRead = { data?: { data?: Record<string, unknown> | null; metadata?: { created_time?: unknown } } }

/**
 * One plain KV v2 read (`?version=n` when given): node-vault's `read` has no query option, and
 * the source keeps no `created_time`. `undefined` when it fails, and on KV v1.
 */
function vaultReader(config: VaultKvConfig, endpoint: string, token: string) {
  return async (
    name: string,
    version: string | undefined,
    signal: AbortSignal,
  ): Promise<KvRead | undefined> => {
    if ((config.kvVersion ?? 2) !== 2) return undefined
    const path = name.split('#')[0] as string
    const query = version === undefined ? '' : `?version=${version}`
    const url = `${endpoint.replace(/\/+$/, '')}/v1/${config.mount ?? 'secret'}/data/${path}${query}`
    const headers: Record<string, string> = { 'X-Vault-Token': token }
    if (config.namespace !== undefined) headers['X-Vault-Namespace'] = config.namespace
    try {
      const response = await fetch(url, { headers, signal })
      return response.ok ? ((await response.json()) as KvRead) : undefined
    } catch {
      return undefined
    }
  }
}

function vaultPrevious(read: ReturnType<typeof vaultReader>) {
  return async (
    name: string,
    current: LoadedSecret,
    signal: AbortSignal,
  ): Promise<LoadedSecret | undefined> => {
    const version = numberBefore(current.version)
    if (version === undefined) return undefined
    const data = (await read(name, version, signal))?.data?.data
    if (data === null || data === undefined) return undefined
    const { kvValue } = await import('@latchkey/vault')
    return { value: kvValue(data), version }
  }
}

function vaultCreatedAt(read: ReturnType<typeof vaultReader>) {
  return async (name: string, signal: AbortSignal): Promise<number | undefined> => {
    const created = (await read(name, undefined, signal))?.data?.metadata?.created_time
    const at = typeof created === 'string' ? Date.parse(created) : Number.NaN
    return Number.isNaN(at) ? undefined : at
  }
}

/** Secrets Manager's `CreatedDate` of the current version, read with GetSecretValue (the permission the app has). */
function awsCreatedAt(config: { region?: string; endpoint?: string }) {
  return async (name: string, signal: AbortSignal): Promise<number | undefined> => {
    try {
      const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager')
      const client = new SecretsManagerClient({
        maxAttempts: 1,
        ...(config.region === undefined ? {} : { region: config.region }),
        ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
      })
      try {
        const reply = await client.send(new GetSecretValueCommand({ SecretId: name.split('#')[0] }), {
          abortSignal: signal,
        })
        return reply.CreatedDate?.getTime()
      } finally {
        client.destroy()
      }
    } catch {
      return undefined
    }
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
        createdAt: awsCreatedAt(config),
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
        createdAt: unknown,
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
      const read = vaultReader(config, endpoint, token)
      return {
        source,
        previous: vaultPrevious(read),
        createdAt: vaultCreatedAt(read),
        close: async () => source.close?.(),
      }
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
        createdAt: unknown,
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
      return { source, previous: none, createdAt: unknown, close: async () => source.close?.() }
    }
    case 'env': {
      const source = new EnvSource({
        ...(config.prefix === undefined ? {} : { prefix: config.prefix }),
        ...(config.envFile === undefined ? {} : { envFile: resolve(context.dir, config.envFile) }),
      })
      return { source, previous: none, createdAt: unknown, close: async () => undefined }
    }
    case 'file': {
      const dir = resolve(context.dir, config.dir)
      const source = new FileSource({ dir })
      const createdAt = async (name: string) => {
        try {
          // FileSource has loaded it (and refused names that escape the directory) before this runs
          return statSync(join(dir, name.split('#')[0] as string)).mtimeMs
        } catch {
          return undefined
        }
      }
      return { source, previous: none, createdAt, close: async () => source.close?.() }
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
