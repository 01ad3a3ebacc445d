/**
 * `@latchkey/cli`: the `latchkey` command (`check`, `get`, `scan`, `policy`, `emulate`), and the
 * pieces a script may call directly.
 *
 * @packageDocumentation
 */

export type { CheckEntry } from './commands/check.js'
export type { ScanReport } from './commands/scan.js'
export { CONFIG_FILES, loadConfig } from './config/load.js'
export type {
  AwsParameterStoreConfig,
  AwsSecretsManagerConfig,
  AzureKeyVaultConfig,
  CacheConfig,
  EnvConfig,
  FileConfig,
  GoogleSecretManagerConfig,
  LatchkeyConfig,
  SecretConfig,
  SourceConfig,
  VaultKvConfig,
} from './config/schema.js'
export { ConfigError, type ConfigErrorLocation, UsageError } from './errors.js'
export { EXIT_CODES } from './exit-codes.js'
export type { CliIo, OutputStream } from './io.js'
export { run } from './run.js'
export type { Finding } from './scan/scan-file.js'
