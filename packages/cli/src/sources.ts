import { statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { EnvSource, FileSource, InvalidOptionsError, type LoadedSecret } from '@latchkey/core'
import { type CliSource, need } from './cli-source.js'
import type { LatchkeyConfig, SourceConfig, VaultKvConfig } from './config/schema.js'
import { azureSource } from './sources/azure.js'
import { googleSource } from './sources/google.js'

export type { CliSource } from './cli-source.js'

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
    case 'google-secret-manager':
      return googleSource(config, context.env)
    case 'azure-key-vault':
      return azureSource(config, context.env)
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
