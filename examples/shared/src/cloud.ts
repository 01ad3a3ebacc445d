import { AwsParameterStoreSource } from '@latchkey/aws'
import { AzureKeyVaultSource } from '@latchkey/azure'
import type { LoadContext, LoadedSecret, SecretSource } from '@latchkey/core'
import { GoogleSecretManagerSource } from '@latchkey/google'
import {
  startGoogleSecretManagerEmulator,
  startKeyVaultEmulator,
  startParameterStoreEmulator,
} from '@latchkey/testing'
import { OAuth2Client } from 'google-auth-library'

/** A source reading a local emulator of a cloud store, and how to stop that emulator. */
export interface CloudBackend {
  source: SecretSource
  close(): Promise<void>
}

/**
 * Parameter Store names that contain `/` are paths from the root (`/db/password`); the examples'
 * names (`db/password`) become such paths. In your app, use the full path as the secret name.
 */
function underRoot(inner: AwsParameterStoreSource): SecretSource {
  return {
    name: inner.name,
    load: (name: string, ctx: LoadContext): Promise<LoadedSecret> => inner.load(`/${name}`, ctx),
    close: () => inner.close?.() ?? Promise.resolve(),
  }
}

/**
 * A local AWS Systems Manager Parameter Store holding `secrets` as `SecureString` parameters, read
 * through the real `@aws-sdk/client-ssm` client. In production: `new AwsParameterStoreSource()`.
 */
export async function startParameterStoreBackend(secrets: Record<string, string>): Promise<CloudBackend> {
  const ssm = await startParameterStoreEmulator()
  for (const [name, value] of Object.entries(secrets))
    ssm.putParameter(`/${name}`, value, { type: 'SecureString' })
  return { source: underRoot(new AwsParameterStoreSource({ ...ssm.clientConfig })), close: () => ssm.close() }
}

/**
 * A local Azure Key Vault holding `secrets` (a name's `/` becomes `--`, the source's rule), read
 * through the real `@azure/keyvault-secrets` client. In production:
 * `new AzureKeyVaultSource({ vaultUrl })` with `DefaultAzureCredential`.
 */
export async function startKeyVaultBackend(secrets: Record<string, string>): Promise<CloudBackend> {
  const kv = await startKeyVaultEmulator()
  for (const [name, value] of Object.entries(secrets)) kv.setSecret(name.replaceAll('/', '--'), value)
  const source = new AzureKeyVaultSource({
    vaultUrl: kv.vaultUrl,
    credential: kv.credential,
    clientOptions: kv.clientOptions,
  })
  return { source, close: () => kv.close() }
}

/**
 * A local Google Secret Manager holding `secrets` (a name's `/` becomes `__`, the source's rule),
 * read through the real `@google-cloud/secret-manager` client over its REST transport. In
 * production: `new GoogleSecretManagerSource()` with application default credentials.
 */
export async function startGoogleBackend(secrets: Record<string, string>): Promise<CloudBackend> {
  const gsm = await startGoogleSecretManagerEmulator({
    secrets: Object.fromEntries(
      Object.entries(secrets).map(([name, value]) => [name.replaceAll('/', '__'), value]),
    ),
  })
  const authClient = new OAuth2Client()
  authClient.setCredentials({ access_token: gsm.token })
  const source = new GoogleSecretManagerSource({
    project: gsm.project,
    clientOptions: { ...gsm.clientOptions, authClient },
  })
  return { source, close: () => gsm.close() }
}
