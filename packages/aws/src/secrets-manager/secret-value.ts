import type { SecretValueEntry } from '@aws-sdk/client-secrets-manager'
import { type LoadedSecret, SecretUnavailableError } from '@latchkey/core'

/** What GetSecretValue and each BatchGetSecretValue entry have in common. */
type SecretValueFields = Pick<
  SecretValueEntry,
  'ARN' | 'Name' | 'VersionId' | 'SecretString' | 'SecretBinary'
>

/** A GetSecretValue reply (or batch entry) as a {@link LoadedSecret}: text or bytes, version = VersionId. */
export function toLoadedSecret(reply: SecretValueFields, secretName: string, source: string): LoadedSecret {
  const value = reply.SecretString ?? reply.SecretBinary
  if (value === undefined) {
    throw new SecretUnavailableError(
      { secretName, source },
      `secret "${secretName}" (source ${source}): the reply had neither SecretString nor SecretBinary`,
    )
  }
  return reply.VersionId === undefined ? { value } : { value, version: reply.VersionId }
}

const ARN_SUFFIX = /-[A-Za-z0-9]{6}$/

/** True when `secretId` (a name, full ARN or partial ARN) names the secret in `reply`. */
export function refersTo(secretId: string, reply: SecretValueFields): boolean {
  if (secretId === reply.Name || secretId === reply.ARN) return true
  const arn = reply.ARN
  return arn !== undefined && ARN_SUFFIX.test(arn) && secretId === arn.slice(0, -7)
}
