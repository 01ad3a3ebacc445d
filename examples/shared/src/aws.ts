import { AwsSecretsManagerSource } from '@latchkey/aws'
import { type SecretsManagerEmulator, startSecretsManagerEmulator } from '@latchkey/testing'

/** A local Secrets Manager and a source that reads it through the real AWS SDK over HTTP. */
export interface AwsBackend {
  source: AwsSecretsManagerSource
  /** The emulator from `@latchkey/testing`; `emulator.rotate(name, value)` rotates a secret. */
  emulator: SecretsManagerEmulator
}

/**
 * Starts the Secrets Manager emulator holding `secrets` and points an `AwsSecretsManagerSource` at
 * it. In production you would write only `new AwsSecretsManagerSource()` and let the SDK find the
 * Region and credentials.
 */
export async function startAwsBackend(secrets: Record<string, string>): Promise<AwsBackend> {
  const emulator = await startSecretsManagerEmulator({ secrets })
  const { endpoint, region, credentials } = emulator.clientConfig
  return { source: new AwsSecretsManagerSource({ endpoint, region, credentials }), emulator }
}
