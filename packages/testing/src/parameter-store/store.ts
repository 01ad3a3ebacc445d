import { createHmac, randomUUID } from 'node:crypto'
import {
  alreadyExists,
  hierarchyLevels,
  labelLimit,
  maxVersions,
  ParameterStoreEmulatorError,
  parameterNotFound,
  reservedName,
  typeMismatch,
  validationError,
  versionNotFound,
} from './errors.js'

/** The three parameter types. */
export type ParameterType = 'String' | 'StringList' | 'SecureString'
/** Storage tiers: they differ in the largest value they hold. */
export type ParameterTier = 'Standard' | 'Advanced'

export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString']
/** Largest value, in characters, per tier (4 KB standard, 8 KB advanced). */
export const MAX_VALUE_LENGTH: Record<ParameterTier, number> = { Standard: 4096, Advanced: 8192 }
/** Versions Parameter Store keeps per parameter; the oldest unlabeled one makes room for a new one. */
const KEPT_VERSIONS = 100
const MAX_LABELS_PER_VERSION = 10
const MAX_LEVELS = 15
/** A created name, counted with the ARN text in front of it, is at most 1,011 characters. */
const MAX_NAME_WITH_ARN = 1011
/** The name of a Secrets Manager secret read through Parameter Store starts with this path. */
export const REFERENCE_PREFIX = '/aws/reference/secretsmanager/'

const NAME_RULES =
  'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_'

export interface StoredVersion {
  readonly version: number
  readonly value: string
  readonly type: ParameterType
  readonly tier: ParameterTier
  readonly modifiedAt: number
  readonly labels: Set<string>
}

export interface StoredParameter {
  readonly name: string
  readonly arn: string
  /** Versions by number, oldest first. */
  readonly versions: Map<number, StoredVersion>
  latest: number
}

export interface SecretVersion {
  readonly id: string
  readonly value: string
  readonly stages: Set<string>
  readonly createdAt: number
}

/** A Secrets Manager secret that `/aws/reference/secretsmanager/<id>` names. */
export interface ReferencedSecret {
  readonly id: string
  readonly arn: string
  readonly versions: SecretVersion[]
}

export interface PutInput {
  name: string
  value: string
  type?: ParameterType
  overwrite?: boolean
  tier?: ParameterTier
}

/** True for a label Parameter Store accepts: 1–100 of `A-Za-z0-9_.-`, not starting with a digit, `aws` or `ssm`. */
export function isValidLabel(label: string): boolean {
  return /^[A-Za-z0-9_.-]{1,100}$/.test(label) && !/^([0-9]|aws|ssm)/i.test(label)
}

/** The emulated service's state in one Region: parameters with versions and labels, and referenced secrets. */
export class ParameterStoreState {
  readonly #parameters = new Map<string, StoredParameter>()
  readonly #secrets = new Map<string, ReferencedSecret>()

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly clock: () => number,
    /** Keys the ciphertext stand-ins, so they reveal nothing about the value. */
    readonly cipherKey: Buffer,
  ) {}

  arnOf(name: string): string {
    return `arn:aws:ssm:${this.region}:${this.accountId}:parameter/${name.replace(/^\//, '')}`
  }

  /** Creates a parameter or, with `overwrite`, adds a version, as PutParameter does. */
  put(input: PutInput): StoredVersion {
    this.#checkWritableName(input.name)
    const existing = this.#parameters.get(input.name)
    const latest = existing?.versions.get(existing.latest)
    if (latest !== undefined && input.overwrite !== true) throw alreadyExists()
    if (latest !== undefined && input.type !== undefined && input.type !== latest.type) throw typeMismatch()
    const type = input.type ?? latest?.type
    if (type === undefined) throw validationError('A parameter type is required when you create a parameter.')
    const tier = input.tier ?? latest?.tier ?? 'Standard'
    if (input.value.length > MAX_VALUE_LENGTH[tier]) {
      throw validationError(
        `${tier} tier parameters hold values of at most ${MAX_VALUE_LENGTH[tier]} characters${tier === 'Standard' ? '; use the Advanced tier for larger values' : ''}.`,
      )
    }
    const parameter: StoredParameter = existing ?? {
      name: input.name,
      arn: this.arnOf(input.name),
      versions: new Map(),
      latest: 0,
    }
    if (parameter.versions.size >= KEPT_VERSIONS) {
      const oldest = parameter.versions.values().next().value as StoredVersion
      if (oldest.labels.size > 0) throw maxVersions(parameter.name, oldest.version)
      parameter.versions.delete(oldest.version)
    }
    const version: StoredVersion = {
      version: parameter.latest + 1,
      value: input.value,
      type,
      tier,
      modifiedAt: this.clock(),
      labels: new Set(),
    }
    parameter.versions.set(version.version, version)
    parameter.latest = version.version
    this.#parameters.set(parameter.name, parameter)
    return version
  }

  /** A parameter by name or by this Region's ARN of it. */
  find(nameOrArn: string): StoredParameter {
    const prefix = `arn:aws:ssm:${this.region}:${this.accountId}:parameter`
    let name = nameOrArn
    if (nameOrArn.startsWith('arn:')) {
      if (!nameOrArn.startsWith(`${prefix}/`)) throw parameterNotFound()
      const rest = nameOrArn.slice(prefix.length + 1)
      name = this.#parameters.has(`/${rest}`) ? `/${rest}` : rest
    }
    const parameter = this.#parameters.get(name)
    if (parameter === undefined) throw parameterNotFound()
    return parameter
  }

  /** The version a selector names: latest without one, a number, or a label. */
  select(parameter: StoredParameter, selector?: string): StoredVersion {
    if (selector === undefined) return parameter.versions.get(parameter.latest) as StoredVersion
    const found = /^[0-9]+$/.test(selector)
      ? parameter.versions.get(Number(selector))
      : [...parameter.versions.values()].find((v) => v.labels.has(selector))
    if (found === undefined) throw versionNotFound(parameter.name, selector)
    return found
  }

  /** Attaches labels to a version (the latest by default), moving them from other versions. */
  label(nameOrArn: string, labels: string[], version?: number): { version: number; invalid: string[] } {
    const parameter = this.find(nameOrArn)
    const target = this.select(parameter, version === undefined ? undefined : String(version))
    const invalid = labels.filter((label) => !isValidLabel(label))
    const valid = [...new Set(labels.filter(isValidLabel))]
    const added = valid.filter((label) => !target.labels.has(label))
    if (target.labels.size + added.length > MAX_LABELS_PER_VERSION) throw labelLimit()
    for (const other of parameter.versions.values()) {
      if (other !== target) for (const label of valid) other.labels.delete(label)
    }
    for (const label of added) target.labels.add(label)
    return { version: target.version, invalid }
  }

  delete(nameOrArn: string): void {
    this.#parameters.delete(this.find(nameOrArn).name)
  }

  /** Parameters under `path` (one level, or every level when `recursive`), in name order. */
  under(path: string, recursive: boolean): StoredParameter[] {
    const prefix = path.endsWith('/') ? path : `${path}/`
    return [...this.#parameters.values()]
      .filter((p) => p.name.startsWith(prefix) && (recursive || !p.name.slice(prefix.length).includes('/')))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** What a SecureString value looks like when read without decryption: opaque, stable per version. */
  ciphertext(parameter: StoredParameter, version: StoredVersion): string {
    const mac = (label: string) =>
      createHmac('sha256', this.cipherKey)
        .update(`${label}\0${parameter.arn}\0${version.version}\0${version.value}`)
        .digest()
    return Buffer.concat([Buffer.from([1, 2, 2, 0, 120]), mac('key'), mac('body')]).toString('base64')
  }

  /** Adds a version of a referenced Secrets Manager secret; it becomes AWSCURRENT. */
  putSecret(id: string, value: string): { arn: string; versionId: string } {
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(id)) {
      throw validationError(
        `A Secrets Manager secret name is 1–512 of A-Za-z0-9/_+=.@-; got ${JSON.stringify(id)}.`,
      )
    }
    let secret = this.#secrets.get(id)
    if (secret === undefined) {
      const suffix = randomUUID().replace(/-/g, '').slice(0, 6)
      secret = {
        id,
        arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${id}-${suffix}`,
        versions: [],
      }
      this.#secrets.set(id, secret)
    }
    for (const version of secret.versions) {
      version.stages.delete('AWSPREVIOUS')
      if (version.stages.delete('AWSCURRENT')) version.stages.add('AWSPREVIOUS')
    }
    const version: SecretVersion = {
      id: randomUUID(),
      value,
      stages: new Set(['AWSCURRENT']),
      createdAt: this.clock(),
    }
    secret.versions.push(version)
    return { arn: secret.arn, versionId: version.id }
  }

  /** A referenced secret's version by version id or staging label (AWSCURRENT by default). */
  readSecret(id: string, selector = 'AWSCURRENT'): { secret: ReferencedSecret; version: SecretVersion } {
    const secret = this.#secrets.get(id)
    const version = secret?.versions.find((v) => v.id === selector || v.stages.has(selector))
    if (secret === undefined || version === undefined) {
      throw new ParameterStoreEmulatorError(
        'ParameterNotFound',
        `Secrets Manager has no secret ${id}${selector === 'AWSCURRENT' ? '' : ` with version ${selector}`}.`,
      )
    }
    return { secret, version }
  }

  #checkWritableName(name: string): void {
    const segments = name.split('/')
    const first = (name.startsWith('/') ? segments[1] : segments[0])?.toLowerCase() ?? ''
    if (first.startsWith('aws') && name.startsWith('/') && segments.length > 2) throw reservedName(name)
    if (
      !/^[A-Za-z0-9_.\-/]+$/.test(name) ||
      (name.includes('/') && !name.startsWith('/')) ||
      segments.slice(1).some((segment) => segment === '') ||
      first.startsWith('aws') ||
      first.startsWith('ssm')
    ) {
      throw validationError(NAME_RULES)
    }
    if (segments.length - (name.startsWith('/') ? 1 : 0) > MAX_LEVELS) throw hierarchyLevels()
    if (this.arnOf(name).length > MAX_NAME_WITH_ARN) {
      throw validationError(
        `Parameter name: with the ARN text before it, a name may have at most ${MAX_NAME_WITH_ARN} characters.`,
      )
    }
  }
}
