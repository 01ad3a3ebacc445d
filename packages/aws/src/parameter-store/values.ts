import { createHash } from 'node:crypto'
import {
  InvalidOptionsError,
  type LoadedSecret,
  SecretNotFoundError,
  SecretUnavailableError,
} from '@latchkey/core'
import type { ParameterRef } from './names.js'

/** The fields of a Parameter Store `Parameter` the source reads. */
export interface ParameterFields {
  Name?: string
  Type?: string
  Value?: string
  Version?: number
  Selector?: string
  SourceResult?: string
  ARN?: string
}

/** What turning a reply into a value needs to know. */
export interface ValueContext {
  source: string
  withDecryption: boolean
}

function malformed(name: string, source: string, what: string): SecretUnavailableError {
  return new SecretUnavailableError(
    { secretName: name, source },
    `parameter "${name}" (source ${source}): ${what}`,
  )
}

/**
 * The names a reply entry answers for: its `Name` or `ARN`, each followed by its `Selector`
 * (`:3`, `:live`) when one was given. A request names a parameter in one of these forms.
 */
export function answeredNames(parameter: ParameterFields | undefined): string[] {
  const selector = typeof parameter?.Selector === 'string' ? parameter.Selector : ''
  return [parameter?.Name, parameter?.ARN]
    .filter((id): id is string => typeof id === 'string' && id !== '')
    .map((id) => `${id}${selector}`)
}

/**
 * A SecureString read without decryption: its value is ciphertext, which the source never hands
 * out. `parameter` is the SecureString itself when it is one of a path's parameters.
 */
function sealed(requested: string, source: string, parameter = requested): InvalidOptionsError {
  const what =
    parameter === requested ? `parameter "${requested}"` : `parameter "${parameter}" under "${requested}"`
  return new InvalidOptionsError(
    `${what} (source ${source}) is a SecureString, and the source reads with { withDecryption: false }, which returns only ciphertext; set withDecryption: true (and allow kms:Decrypt) to read it`,
    { secretName: requested, source },
  )
}

/** The `VersionId` in a Secrets Manager reference's `SourceResult` (a JSON text), if it has one. */
function referencedVersion(sourceResult: string | undefined): string | undefined {
  if (sourceResult === undefined) return undefined
  try {
    const parsed = JSON.parse(sourceResult) as Record<string, unknown>
    const id = parsed.VersionId ?? parsed.versionId
    return typeof id === 'string' && id !== '' ? id : undefined
  } catch {
    return undefined
  }
}

/**
 * One parameter as a {@link LoadedSecret}: its value as text (a `StringList` stays the
 * comma-separated text Parameter Store stores), version = the parameter version, `"<version>@<label>"`
 * when a label selected it. A Secrets Manager reference has no Parameter Store version: its
 * version is the secret's `VersionId` from `SourceResult`.
 */
export function toLoadedParameter(
  parameter: ParameterFields | undefined,
  requested: string,
  ref: ParameterRef,
  context: ValueContext,
): LoadedSecret {
  if (typeof parameter?.Value !== 'string') {
    throw malformed(requested, context.source, 'the reply had no Parameter.Value')
  }
  if (!answeredNames(parameter).includes(requested)) {
    throw malformed(requested, context.source, 'the reply named another parameter than the one asked for')
  }
  if (ref.kind === 'reference') {
    const version = referencedVersion(parameter.SourceResult)
    return version === undefined ? { value: parameter.Value } : { value: parameter.Value, version }
  }
  if (parameter.Type === 'SecureString' && !context.withDecryption) throw sealed(requested, context.source)
  const plain = notSensitive(parameter)
  if (typeof parameter.Version !== 'number') return { value: parameter.Value, ...plain }
  const label = ref.kind === 'parameter' ? ref.label : undefined
  return {
    value: parameter.Value,
    version: label === undefined ? String(parameter.Version) : `${parameter.Version}@${label}`,
    ...plain,
  }
}

/**
 * `String` and `StringList` parameters are configuration, not secrets: served, never registered
 * for scrubbing (`sensitive: false`). `SecureString`, and a reply without a known `Type`, stay sensitive.
 */
function isPlain(parameter: ParameterFields): boolean {
  return parameter.Type === 'String' || parameter.Type === 'StringList'
}

function notSensitive(parameter: ParameterFields): { sensitive?: false } {
  return isPlain(parameter) ? { sensitive: false } : {}
}

/**
 * Collects the parameters of a hierarchy read into one JSON object and its version. Keys are the
 * names relative to the path (`/app/db/password` under `/app/` is `db/password`), in name order;
 * values are the parameters' values as text. The version is a digest of every name and version,
 * so any change under the path (a new version, a parameter added or deleted) is a rotation.
 */
export class HierarchyCollector {
  readonly #entries = new Map<string, string>()
  readonly #versions: string[] = []
  /** Relative names of the `String`/`StringList` parameters: not registered for scrubbing. */
  readonly #plain: string[] = []

  constructor(
    readonly requested: string,
    readonly prefix: string,
    readonly context: ValueContext,
  ) {}

  add(parameters: readonly ParameterFields[] | undefined): void {
    const { requested, prefix, context } = this
    if (parameters !== undefined && !Array.isArray(parameters)) {
      throw malformed(requested, context.source, 'the reply had no Parameters list')
    }
    for (const parameter of parameters ?? []) {
      const name = parameter?.Name
      // Under the root path "/" a name outside every hierarchy ("plain") keeps its whole name.
      const atRoot = prefix === '/' && typeof name === 'string' && name !== '' && !name.startsWith('/')
      if (
        typeof name !== 'string' ||
        (!atRoot && (!name.startsWith(prefix) || name.length === prefix.length))
      ) {
        throw malformed(requested, context.source, 'the reply listed a parameter outside the path')
      }
      if (typeof parameter.Value !== 'string') {
        throw malformed(requested, context.source, 'the reply had a parameter without a Value')
      }
      if (parameter.Type === 'SecureString' && !context.withDecryption)
        throw sealed(requested, context.source, name)
      const relative = atRoot ? name : name.slice(prefix.length)
      this.#entries.set(relative, parameter.Value)
      if (isPlain(parameter)) this.#plain.push(relative)
      this.#versions.push(`${relative}@${parameter.Version ?? ''}`)
    }
  }

  finish(): LoadedSecret {
    const { requested, context } = this
    if (this.#entries.size === 0) {
      throw new SecretNotFoundError(
        { secretName: requested, source: context.source },
        `parameter path "${requested}" (source ${context.source}) has no parameters`,
      )
    }
    const names = [...this.#entries.keys()].sort()
    const value = JSON.stringify(Object.fromEntries(names.map((name) => [name, this.#entries.get(name)])))
    const version = createHash('sha256').update(this.#versions.sort().join('\n')).digest('hex').slice(0, 16)
    if (this.#plain.length === this.#entries.size) return { value, version, sensitive: false }
    return this.#plain.length === 0 ? { value, version } : { value, version, publicFields: this.#plain }
  }
}
