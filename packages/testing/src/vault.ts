/**
 * `@latchkey/testing/vault`: the HashiCorp Vault emulator only (KV v2, database secrets, tokens,
 * AppRole and Kubernetes logins). Loads no AWS, Azure or Google emulator and no embedded
 * PostgreSQL.
 *
 * @packageDocumentation
 */
export * from './vault/index.js'
