import { randomUUID } from 'node:crypto'

/** One version of a secret the emulator holds. */
interface SecretVersion {
  versionId: string
  value: { text: string } | { binary: Uint8Array }
  stages: Set<string>
  created: number
}

/** One version of a parameter the emulator holds. */
interface ParameterVersion {
  version: number
  value: string
  modified: number
}

/** Parameter Store types. */
export type ExtensionParameterType = 'String' | 'StringList' | 'SecureString'

/** What the emulator answers for: Secrets Manager secrets and Parameter Store parameters of one account and Region. */
export class ExtensionStore {
  readonly #secrets = new Map<string, SecretVersion[]>()
  readonly #parameters = new Map<string, { type: ExtensionParameterType; versions: ParameterVersion[] }>()
  readonly #clock: () => number
  readonly #arnPrefix: string

  constructor(region: string, accountId: string, clock: () => number) {
    this.#clock = clock
    this.#arnPrefix = `arn:aws:%s:${region}:${accountId}:`
  }

  /** Adds a version that becomes AWSCURRENT (the previous one AWSPREVIOUS); returns both ids. */
  putSecret(id: string, value: string | Uint8Array): { previousVersionId?: string; versionId: string } {
    const versions = this.#secrets.get(id) ?? []
    const current = versions.find((v) => v.stages.has('AWSCURRENT'))
    for (const v of versions) v.stages.delete('AWSPREVIOUS')
    if (current !== undefined) {
      current.stages.delete('AWSCURRENT')
      current.stages.add('AWSPREVIOUS')
    }
    const versionId = randomUUID()
    versions.push({
      versionId,
      value: typeof value === 'string' ? { text: value } : { binary: new Uint8Array(value) },
      stages: new Set(['AWSCURRENT']),
      created: this.#clock(),
    })
    this.#secrets.set(id, versions.filter((v) => v.stages.size > 0).slice(-100))
    return { ...(current === undefined ? {} : { previousVersionId: current.versionId }), versionId }
  }

  deleteSecret(id: string): boolean {
    return this.#secrets.delete(id)
  }

  /** The GetSecretValue answer, or `undefined` when there is no such secret or version. */
  secretAnswer(id: string, select: { versionId?: string; versionStage?: string }): object | undefined {
    const versions = this.#secrets.get(id)
    const stage = select.versionStage ?? (select.versionId === undefined ? 'AWSCURRENT' : undefined)
    const found = versions?.find(
      (v) =>
        (select.versionId === undefined || v.versionId === select.versionId) &&
        (stage === undefined || v.stages.has(stage)),
    )
    if (found === undefined) return undefined
    return {
      ARN: `${this.#arnPrefix.replace('%s', 'secretsmanager')}secret:${id}-AbCdEf`,
      Name: id,
      VersionId: found.versionId,
      ...('text' in found.value
        ? { SecretString: found.value.text }
        : { SecretBinary: Buffer.from(found.value.binary).toString('base64') }),
      VersionStages: [...found.stages],
      CreatedDate: new Date(found.created).toISOString(),
      ResultMetadata: {},
    }
  }

  /** Adds a parameter version; returns the new version number. */
  putParameter(name: string, value: string, type?: ExtensionParameterType): number {
    const held = this.#parameters.get(name) ?? { type: type ?? 'String', versions: [] }
    if (type !== undefined) held.type = type
    const version = (held.versions.at(-1)?.version ?? 0) + 1
    held.versions.push({ version, value, modified: this.#clock() })
    this.#parameters.set(name, held)
    return version
  }

  deleteParameter(name: string): boolean {
    return this.#parameters.delete(name)
  }

  /**
   * The GetParameter answer for `selector` (`name`, `name:3`), or `undefined` when not found. A
   * `SecureString` asked for without decryption gets a stand-in ciphertext, never the value.
   */
  parameterAnswer(selector: string, withDecryption: boolean): object | undefined {
    const match = /^(.*?)(?::([0-9]+))?$/.exec(selector)
    const name = match?.[1] ?? selector
    const held = this.#parameters.get(name)
    const wanted = match?.[2] === undefined ? undefined : Number(match[2])
    const found =
      wanted === undefined ? held?.versions.at(-1) : held?.versions.find((v) => v.version === wanted)
    if (held === undefined || found === undefined) return undefined
    const value =
      held.type === 'SecureString' && !withDecryption
        ? Buffer.from(`ciphertext-of-${name}-v${found.version}`).toString('base64')
        : found.value
    return {
      Parameter: {
        ARN: `${this.#arnPrefix.replace('%s', 'ssm')}parameter/${name.replace(/^\//, '')}`,
        DataType: 'text',
        LastModifiedDate: new Date(found.modified).toISOString(),
        Name: name,
        ...(wanted === undefined ? {} : { Selector: `:${wanted}` }),
        SourceResult: null,
        Type: held.type,
        Value: value,
        Version: found.version,
      },
      ResultMetadata: {},
    }
  }
}
