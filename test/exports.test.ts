/**
 * The public API of every package is a reviewed list. Each entry point in a package's `exports` map
 * is loaded from the built `dist/` (run `pnpm build` first) through ESM `import` and CommonJS
 * `require`, and its names must equal the list below. A change to a package's exports fails here
 * until the list is updated in the same commit — so adding, renaming or removing a public name is
 * always deliberate. `./internal` entries are listed too: unstable, but still reviewed.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const names = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)

/** Package → entry point (`exports` key) → exported names, sorted. Types are not runtime names. */
const REVIEWED: Record<string, Record<string, string[]>> = {
  aws: {
    '.': [
      'AwsParameterStoreSource',
      'AwsSecretsManagerSource',
      'RdsIamAuthSource',
      'toAwsSecretError',
      'watchSecretsManagerEvents',
    ],
  },
  azure: {
    '.': [
      'AzureKeyVaultSource',
      'EntraDatabaseTokenSource',
      'NAME_RULE',
      'OSS_RDBMS_SCOPE',
      'defaultCredential',
      'fromKeyVaultName',
      'toAzureSecretError',
      'toKeyVaultName',
    ],
  },
  cli: {
    '.': ['CONFIG_FILES', 'ConfigError', 'EXIT_CODES', 'UsageError', 'loadConfig', 'run'],
  },
  core: {
    '.': [
      'CachedSecretProvider',
      'DIAGNOSTICS_CHANNELS',
      'EnvSource',
      'ErrorCode',
      'FileSource',
      'InvalidOptionsError',
      'InvalidSecretJsonError',
      'InvalidSecretNameError',
      'MemorySource',
      'ProviderClosedError',
      'SecretAccessDeniedError',
      'SecretError',
      'SecretHandle',
      'SecretNotFoundError',
      'SecretNotLoadedError',
      'SecretPreloadError',
      'SecretRedactor',
      'SecretThrottledError',
      'SecretTimeoutError',
      'SecretTooLargeError',
      'SecretUnavailableError',
      'isCachedSecretProvider',
      'secretsHealth',
      'secretsHealthAnswer',
      'sharedRedactor',
      'withSecret',
    ],
    './internal': [
      'CACHE_OPTION_KEYS',
      'MAX_NAME_LENGTH',
      'MAX_SECRET_BYTES',
      'MAX_TIMER_MS',
      'PROGRAMMING_ERRORS',
      'UNAVAILABLE_BODY',
      'backoffDelay',
      'checkBudget',
      'checkOptionNames',
      'checkPreload',
      'checkSourceOptionNames',
      'checkStartupLog',
      'createLineScrubber',
      'editJsonLine',
      'encodedForms',
      'checkTokenInteger',
      'checkTokenOptions',
      'checkTokenString',
      'commonSourceError',
      'databaseTokenSecret',
      'describeOptionValue',
      'describeType',
      'describeValue',
      'envVariableName',
      'integrationOptionKeys',
      'isSecretFailure',
      'isTransient',
      'logStartup',
      'nearestOptionName',
      'optionKeys',
      'parseDotenv',
      'parseSecretJson',
      'parseSecretRef',
      'preloadWithin',
      'processWarningLogger',
      'resolveHealthOptions',
      'resolveProvider',
      'secretLabel',
      'selectField',
      'settledSecretError',
      'startupLine',
      'startupLogger',
      'startupMargin',
      'toSecretError',
    ],
  },
  express: {
    '.': [
      'SecretServiceUnavailableError',
      'UNAVAILABLE_BODY',
      'isSecretFailure',
      'requireSecrets',
      'secrets',
      'secretsErrorHandler',
      'secretsHealthHandler',
    ],
  },
  fastify: {
    '.': ['UNAVAILABLE_BODY', 'isSecretFailure', 'latchkey', 'secretsErrorHandler', 'secretsHealthHandler'],
  },
  google: {
    '.': [
      'CloudSqlIamAuthSource',
      'GoogleSecretManagerSource',
      'SECRET_ID_PATTERN',
      'SQL_LOGIN_SCOPE',
      'crc32c',
      'fromSecretId',
      'toGoogleSecretError',
      'toSecretId',
    ],
  },
  lambda: {
    '.': [
      'DEFAULT_EXTENSION_PORT',
      'DEFAULT_PROVIDER_KEY',
      'LambdaExtensionSource',
      'PARAMETER_PREFIX',
      'configureDefaultProvider',
      'defaultProvider',
      'getJson',
      'getSecret',
      'secrets',
      'withSecrets',
    ],
  },
  nestjs: {
    '.': [
      'SECRETS_MODULE_OPTIONS',
      'SECRET_TOKEN_PREFIX',
      'Secret',
      'SecretsHealthIndicator',
      'SecretsModule',
      'SecretsService',
      'getSecretToken',
      'secretsLoader',
    ],
  },
  opentelemetry: {
    '.': ['ATTRIBUTES', 'INSTRUMENTATION_NAME', 'METRICS', 'instrumentSecrets'],
  },
  pg: {
    '.': [
      'AUTH_FAILURE_CODES',
      'RotatingPool',
      'UnsupportedPgPoolError',
      'installedPgVersions',
      'isAuthFailure',
      'knexConnection',
      'poolInternalsProblems',
      'sequelizeBeforeConnect',
    ],
  },
  pino: {
    '.': [
      'CREDENTIAL_HEADERS',
      'CREDENTIAL_KEY_WORDS',
      'DEFAULT_REDACT_KEYS',
      'DEFAULT_REDACT_PATHS',
      'SENSITIVE_HEADERS',
      'createHttpSerializers',
      'createKeyCensor',
      'createLineKeyCensor',
      'isCredentialKey',
      'redactPathsFor',
      'redactSecrets',
      'serializeError',
      'serializeRequest',
      'serializeResponse',
      'serializers',
    ],
  },
  testing: {
    '.': [
      'EMULATOR_VAULT_DOMAIN',
      'GoogleSecretManagerEmulatorError',
      'KEY_VAULT_API_VERSIONS',
      'KEY_VAULT_MAX_REQUEST_BYTES',
      'KEY_VAULT_OPERATIONS',
      'PARAMETER_STORE_MAX_REQUEST_BYTES',
      'ParameterStoreEmulatorError',
      'PostgresStartError',
      'SECRETS_MANAGER_MAX_REQUEST_BYTES',
      'SECRETS_MANAGER_MAX_SECRET_SIZE',
      'SecretsManagerEmulatorError',
      'eventBridgeEvent',
      'startGoogleSecretManagerEmulator',
      'startKeyVaultEmulator',
      'startLambdaExtensionEmulator',
      'startParameterStoreEmulator',
      'startPostgres',
      'startSecretsManagerEmulator',
      'startSqsEmulator',
      'startVaultEmulator',
    ],
    './aws': [
      'PARAMETER_STORE_MAX_REQUEST_BYTES',
      'ParameterStoreEmulatorError',
      'SECRETS_MANAGER_MAX_REQUEST_BYTES',
      'SECRETS_MANAGER_MAX_SECRET_SIZE',
      'SecretsManagerEmulatorError',
      'eventBridgeEvent',
      'startLambdaExtensionEmulator',
      'startParameterStoreEmulator',
      'startSecretsManagerEmulator',
      'startSqsEmulator',
    ],
    './azure': [
      'EMULATOR_VAULT_DOMAIN',
      'KEY_VAULT_API_VERSIONS',
      'KEY_VAULT_MAX_REQUEST_BYTES',
      'KEY_VAULT_OPERATIONS',
      'startKeyVaultEmulator',
    ],
    './google': ['GoogleSecretManagerEmulatorError', 'startGoogleSecretManagerEmulator'],
    './postgres': ['PostgresStartError', 'startPostgres'],
    './vault': ['startVaultEmulator'],
  },
  vault: {
    '.': [
      'DEFAULT_JWT_PATH',
      'VaultAuthenticator',
      'VaultDatabaseSource',
      'VaultKvSource',
      'VaultRequestError',
      'classifyVaultError',
      'kvValue',
    ],
  },
}

/** Runs in a fresh `node` (as an app loads the package): every entry's names via import and require. */
const LIST_SCRIPT = `
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const [name, ...entries] = JSON.parse(process.argv[1])
const keys = (m) => Object.keys(m).filter((k) => k !== 'default' && k !== '__esModule').sort()
const out = {}
for (const entry of entries) {
  const specifier = '@latchkey/' + name + entry.slice(1)
  out[entry] = { esm: keys(await import(specifier)), cjs: keys(require(specifier)) }
}
console.log(JSON.stringify(out))
`

function entryPoints(name: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
  return Object.keys(pkg.exports ?? {}).filter((entry) => entry !== './package.json')
}

describe.each(names)('@latchkey/%s exports', (name) => {
  it('has a reviewed export list', () => {
    expect(
      REVIEWED[name],
      `packages/${name} has no reviewed export list: read its src/index.ts, decide what is public, and add it to REVIEWED in test/exports.test.ts`,
    ).toBeDefined()
    expect(Object.keys(REVIEWED[name] ?? {}).sort(), 'entry points in package.json `exports`').toEqual(
      entryPoints(name).sort(),
    )
  })

  it('exports exactly the reviewed names from every entry, ESM and CommonJS', () => {
    const reviewed = REVIEWED[name]
    if (reviewed === undefined) return // reported by the test above
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', LIST_SCRIPT, JSON.stringify([name, ...entryPoints(name)])],
      { cwd: import.meta.dirname, encoding: 'utf8', timeout: 60_000 },
    )
    const actual = JSON.parse(out) as Record<string, { esm: string[]; cjs: string[] }>
    for (const [entry, expected] of Object.entries(reviewed)) {
      const where = `@latchkey/${name}${entry.slice(1)} (built dist; run \`pnpm build\` if stale)`
      expect(actual[entry]?.esm, `${where} via import`).toEqual([...expected].sort())
      expect(actual[entry]?.cjs, `${where} via require`).toEqual([...expected].sort())
    }
  })

  it('keeps test helpers out of the built package', () => {
    const dist = join(root, 'packages', name, 'dist')
    const files = existsSync(dist) ? readdirSync(dist, { recursive: true }).map(String) : []
    expect(files.filter((f) => /test-support|global-setup|(^|\/)testing\/|\.test\./.test(f))).toEqual([])
  })
})
