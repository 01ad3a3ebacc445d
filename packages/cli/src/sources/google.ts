import { InvalidOptionsError } from '@latchkey/core'
import { type CliSource, need } from '../cli-source.js'
import type { GoogleSecretManagerConfig } from '../config/schema.js'

/**
 * The permission a Secret Manager `PERMISSION_DENIED` names (`Permission
 * 'secretmanager.versions.access' denied for resource …`), as an identifier only.
 */
export function googleDeniedPermission(message: string): string | undefined {
  return /Permission '([a-z]{1,40}(?:\.[a-zA-Z]{1,40}){1,4})' denied/.exec(message)?.[1]
}

/** `{ apiEndpoint, port, protocol, fallback: 'rest' }` for an `endpoint` URL. */
function restOptions(endpoint: string) {
  const url = new URL(endpoint)
  const protocol = url.protocol === 'https:' ? 'https' : 'http'
  return {
    apiEndpoint: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? (protocol === 'https' ? 443 : 80) : Number(url.port),
    protocol,
    fallback: 'rest' as const,
  }
}

/** A Google Secret Manager source: `endpoint` over REST, `tokenEnv` for a static token, denials read for their permission. */
export async function googleSource(
  config: GoogleSecretManagerConfig,
  env: NodeJS.ProcessEnv,
): Promise<CliSource> {
  const { GoogleSecretManagerSource, toSecretId } = await need(
    '@latchkey/google',
    () => import('@latchkey/google'),
    config.type,
  )
  const { SecretManagerServiceClient } = await need(
    '@google-cloud/secret-manager',
    () => import('@google-cloud/secret-manager'),
    config.type,
  )
  let authClient: object | undefined
  if (config.tokenEnv !== undefined) {
    const token = env[config.tokenEnv]
    if (token === undefined || token === '') {
      throw new InvalidOptionsError(
        `a google-secret-manager source reads its token from ${config.tokenEnv}, which is not set`,
      )
    }
    const { OAuth2Client } = await need(
      'google-auth-library',
      () => import('google-auth-library'),
      config.type,
    )
    const auth = new OAuth2Client()
    auth.setCredentials({ access_token: token })
    authClient = auth
  }
  const client = new SecretManagerServiceClient({
    ...(config.endpoint === undefined ? {} : restOptions(config.endpoint)),
    ...(authClient === undefined ? {} : { authClient: authClient as never }),
  })
  const denied = new Map<string, string>()
  const access = client.accessSecretVersion.bind(client)
  // the source calls accessSecretVersion; every other member is the client's own
  const watched = Object.create(client, {
    accessSecretVersion: {
      value: async (...args: Parameters<typeof access>) => {
        try {
          return await access(...args)
        } catch (error) {
          const permission = googleDeniedPermission(String((error as { message?: unknown }).message ?? ''))
          const id = /\/secrets\/([A-Za-z0-9_-]{1,255})\//.exec(String(args[0]?.name ?? ''))?.[1]
          if (permission !== undefined && id !== undefined) denied.set(id, permission)
          throw error
        }
      },
    },
  }) as typeof client
  const source = new GoogleSecretManagerSource({ project: config.project, client: watched })
  return {
    source,
    createdAt: async () => undefined,
    previous: async (name, current, signal) => {
      // the source's version is the version's resource name, `projects/…/secrets/…/versions/<n>`
      const number = Number(/(?:^|\/versions\/)(\d+)$/.exec(current.version ?? '')?.[1] ?? Number.NaN)
      if (!(number > 1)) return undefined
      const version = String(number - 1)
      try {
        return await source.load(`${name.split('#')[0]}@${version}`, { signal })
      } catch {
        return undefined
      }
    },
    deniedPermission: (name) => {
      try {
        return denied.get(toSecretId(name.split('#')[0] as string))
      } catch {
        return undefined
      }
    },
    close: async () => {
      await source.close?.()
      await client.close()
    },
  }
}
