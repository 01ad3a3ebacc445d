import { type LookupOptions, lookup } from 'node:dns'
import { Agent } from 'node:https'
import { InvalidOptionsError } from '@latchkey/core'
import { type CliSource, need } from '../cli-source.js'
import type { AzureKeyVaultConfig } from '../config/schema.js'

/**
 * The permission a Key Vault 403 names, as an identifier only: the RBAC form's
 * `Action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'`, or the access-policy form's
 * "does not have secrets get permission" (docs/wire-facts.md#cli-azure-and-google-denials).
 */
export function keyVaultDeniedPermission(body: string): string | undefined {
  const action = /Action: '(Microsoft\.KeyVault\/[A-Za-z/]{1,100})'/.exec(body)?.[1]
  if (action !== undefined) return action
  const policy = /does not have (secrets|keys|certificates) ([a-z]{1,20}) permission/.exec(body)
  return policy === null ? undefined : `${policy[1]}/${policy[2]} (access policy)`
}

/** The Key Vault secret name of a request URL (`/secrets/<name>[/<version>]`), lower-cased. */
const secretOf = (url: string): string | undefined =>
  /\/secrets\/([0-9a-zA-Z-]{1,127})(?:\/|$|\?)/.exec(new URL(url).pathname)?.[1]?.toLowerCase()

type LookupCallback = (error: Error | null, address: unknown, family?: number) => void

/**
 * An agent that resolves `localhost` and names under `.localhost` to the loopback address, as
 * RFC 6761 §6.3 reserves them (the Key Vault emulator serves `<vault>.vault.localhost`; glibc does
 * not resolve those names by itself). TLS trust stays Node's (add a CA with NODE_EXTRA_CA_CERTS).
 */
function loopbackAgent(): Agent {
  return new Agent({
    keepAlive: true,
    lookup: ((hostname: string, options: LookupOptions, callback: LookupCallback) => {
      const local = hostname === 'localhost' || hostname.toLowerCase().endsWith('.localhost')
      lookup(local ? '127.0.0.1' : hostname, options, callback as never)
    }) as never,
  })
}

/** An Azure Key Vault source: `tokenEnv` for a static token (else DefaultAzureCredential), denials read for their permission. */
export async function azureSource(config: AzureKeyVaultConfig, env: NodeJS.ProcessEnv): Promise<CliSource> {
  const { AzureKeyVaultSource, toKeyVaultName } = await need(
    '@latchkey/azure',
    () => import('@latchkey/azure'),
    config.type,
  )
  let credential: { getToken(): Promise<{ token: string; expiresOnTimestamp: number }> } | undefined
  if (config.tokenEnv !== undefined) {
    const token = env[config.tokenEnv]
    if (token === undefined || token === '') {
      throw new InvalidOptionsError(
        `an azure-key-vault source reads its token from ${config.tokenEnv}, which is not set`,
      )
    }
    credential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }) }
  }
  const denied = new Map<string, string>()
  const readDenial = {
    name: 'latchkeyCliDeniedPermission',
    async sendRequest(
      request: { url: string },
      next: (request: never) => Promise<{ status: number; bodyAsText?: string | null }>,
    ) {
      const response = await next(request as never)
      const secret = secretOf(request.url)
      if (response.status === 403 && secret !== undefined) {
        const permission = keyVaultDeniedPermission(response.bodyAsText ?? '')
        if (permission !== undefined) denied.set(secret, permission)
      }
      return response
    },
  }
  const host = new URL(config.vaultUrl).hostname.toLowerCase()
  const agent = host === 'localhost' || host.endsWith('.localhost') ? loopbackAgent() : undefined
  const source = new AzureKeyVaultSource({
    vaultUrl: config.vaultUrl,
    ...(credential === undefined ? {} : { credential }),
    clientOptions: {
      additionalPolicies: [{ policy: readDenial as never, position: 'perCall' }],
      ...(agent === undefined ? {} : { agent }),
    },
  })
  return {
    source,
    previous: async () => undefined,
    createdAt: async () => undefined,
    deniedPermission: (name) => {
      try {
        return denied.get(toKeyVaultName(name.split('#')[0] as string, source.name).secret.toLowerCase())
      } catch {
        return undefined
      }
    },
    close: async () => {
      await source.close?.()
      agent?.destroy()
    },
  }
}
