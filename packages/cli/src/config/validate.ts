import {
  type CacheConfig,
  type LatchkeyConfig,
  type SecretConfig,
  SOURCE_FIELDS,
  type SourceConfig,
} from './schema.js'

/** Reports a mistake at `field` (a dotted path); never returns. */
export type Report = (field: string, problem: string) => never

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const kind = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`)

function checkKeys(value: Record<string, unknown>, allowed: string[], path: string, report: Report): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) report(`${path}${key}`, `unknown field (allowed: ${allowed.join(', ')})`)
  }
}

function checkSource(name: string, raw: unknown, report: Report): SourceConfig {
  const path = `sources.${name}`
  if (!isObject(raw)) report(path, `must be an object with a "type", got ${kind(raw)}`)
  const types = Object.keys(SOURCE_FIELDS)
  if (typeof raw.type !== 'string' || !types.includes(raw.type)) {
    report(`${path}.type`, `must be one of ${types.map((t) => `"${t}"`).join(', ')}`)
  }
  const fields = SOURCE_FIELDS[raw.type as SourceConfig['type']]
  checkKeys(raw, ['type', ...fields.required, ...fields.optional], `${path}.`, report)
  for (const field of fields.required) {
    if (raw[field] === undefined) report(`${path}.${field}`, `is required for type "${raw.type}"`)
  }
  for (const field of [...fields.required, ...fields.optional]) {
    const value = raw[field]
    if (value === undefined) continue
    if (field === 'kvVersion') {
      if (value !== 1 && value !== 2)
        report(`${path}.kvVersion`, `must be 1 or 2, got ${JSON.stringify(value)}`)
    } else if (typeof value !== 'string' || value === '') {
      report(`${path}.${field}`, `must be a non-empty string, got ${kind(value)}`)
    }
  }
  if (typeof raw.accountId === 'string' && !/^\d{12}$/.test(raw.accountId)) {
    report(`${path}.accountId`, 'must be a 12-digit AWS account id')
  }
  if (
    typeof raw.kmsKeyArn === 'string' &&
    !/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/.test(raw.kmsKeyArn)
  ) {
    report(`${path}.kmsKeyArn`, 'must be a KMS key ARN such as arn:aws:kms:us-east-1:123456789012:key/…')
  }
  if (raw.type === 'google-secret-manager' && typeof raw.endpoint === 'string') {
    const url = URL.canParse(raw.endpoint) ? new URL(raw.endpoint) : undefined
    if (url === undefined || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search !== '')
      report(`${path}.endpoint`, 'must be an http(s)://host[:port] URL without a path')
  }
  if (
    typeof raw.vaultUrl === 'string' &&
    !(URL.canParse(raw.vaultUrl) && raw.vaultUrl.startsWith('https://'))
  )
    report(`${path}.vaultUrl`, 'must be an https:// URL such as https://my-vault.vault.azure.net')
  return raw as unknown as SourceConfig
}

function checkSecret(index: number, raw: unknown, sources: string[], report: Report): SecretConfig {
  const path = `secrets[${index}]`
  const entry = typeof raw === 'string' ? { name: raw } : raw
  if (!isObject(entry)) report(path, `must be a name or { "name", "source" }, got ${kind(raw)}`)
  if (typeof raw !== 'string') checkKeys(entry, ['name', 'source'], `${path}.`, report)
  const name = entry.name
  if (typeof name !== 'string' || name === '') {
    report(typeof raw === 'string' ? path : `${path}.name`, `must be a non-empty string, got ${kind(name)}`)
  }
  let source = entry.source
  if (source === undefined) {
    if (sources.length !== 1) report(`${path}`, `needs a "source" (the config has ${sources.length} sources)`)
    source = sources[0]
  }
  if (typeof source !== 'string' || !sources.includes(source)) {
    report(`${path}.source`, `must name a source (${sources.map((s) => `"${s}"`).join(', ')})`)
  }
  return { name, source }
}

function checkDuration(value: unknown, field: string, report: Report): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    report(field, `must be a number of milliseconds ≥ 0, got ${kind(value)}`)
  }
}

function checkCache(raw: unknown, report: Report): CacheConfig {
  if (raw === undefined) return {}
  if (!isObject(raw)) report('cache', `must be an object, got ${kind(raw)}`)
  checkKeys(raw, ['timeout', 'retry'], 'cache.', report)
  checkDuration(raw.timeout, 'cache.timeout', report)
  if (raw.retry !== undefined) {
    if (!isObject(raw.retry)) report('cache.retry', `must be an object, got ${kind(raw.retry)}`)
    checkKeys(raw.retry, ['retries', 'baseDelay', 'maxDelay'], 'cache.retry.', report)
    for (const key of ['retries', 'baseDelay', 'maxDelay'])
      checkDuration(raw.retry[key], `cache.retry.${key}`, report)
  }
  return raw as CacheConfig
}

/** Checks a parsed config against the schema (README "Config file"); `report` throws at the first mistake. */
export function validateConfig(
  raw: unknown,
  where: { file: string; dir: string },
  report: Report,
): LatchkeyConfig {
  if (!isObject(raw)) report('', `must hold an object with "sources" and "secrets", got ${kind(raw)}`)
  checkKeys(raw, ['$schema', 'sources', 'secrets', 'cache'], '', report)
  if (!isObject(raw.sources) || Object.keys(raw.sources).length === 0) {
    report('sources', 'must be an object naming at least one source')
  }
  const sources: Record<string, SourceConfig> = {}
  for (const [name, source] of Object.entries(raw.sources)) sources[name] = checkSource(name, source, report)
  if (!Array.isArray(raw.secrets) || raw.secrets.length === 0) {
    report('secrets', 'must be an array naming at least one secret')
  }
  const names = Object.keys(sources)
  const secrets = raw.secrets.map((entry, index) => checkSecret(index, entry, names, report))
  return { ...where, sources, secrets, cache: checkCache(raw.cache, report) }
}
