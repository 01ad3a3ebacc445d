/**
 * `@latchkey/testing/vault`: the HashiCorp Vault emulator only (KV v1/v2 with custom metadata,
 * database dynamic and static roles, token management with roles, batch, use-limited and
 * CIDR-bound tokens, ACL policies, mounts, namespaces, response wrapping, AppRole and Kubernetes
 * logins). Loads no AWS, Azure or Google emulator and no embedded PostgreSQL.
 *
 * @packageDocumentation
 */
export * from './vault/index.js'
