/**
 * Largest secret value accepted, in bytes, from any source (the cache) and from a file
 * (`FileSource`): 64 KiB, the AWS Secrets Manager limit (docs/wire-facts.md#aws-secrets-manager).
 */
export const MAX_SECRET_BYTES = 65_536
