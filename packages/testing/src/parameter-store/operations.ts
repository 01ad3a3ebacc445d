import {
  badSelector,
  constraint,
  invalidNextToken,
  needsDecryption,
  ParameterStoreEmulatorError,
  validationError,
} from './errors.js'
import {
  type Input,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
  stringList,
  unsupported,
} from './input.js'
import {
  PARAMETER_TYPES,
  type ParameterStoreState,
  type ParameterTier,
  type ParameterType,
  REFERENCE_PREFIX,
  type StoredParameter,
  type StoredVersion,
} from './store.js'

// Shaped like secrets-manager/operations.ts on purpose: each service declares its own operations and limits.
/** The operations the emulator implements (the `X-Amz-Target` suffix after `AmazonSSM.`). */
export type ParameterStoreOperation =
  | 'GetParameter'
  | 'GetParameters'
  | 'GetParametersByPath'
  | 'PutParameter'
  | 'LabelParameterVersion'
  | 'DeleteParameter'

type Operation = (state: ParameterStoreState, input: Input) => object

const NAME = { min: 1, max: 2048 }

/** Timestamps go on the wire as epoch seconds, fractions allowed. */
const epochSeconds = (ms: number) => ms / 1000

/** `name`, `name:selector`, or the same after an ARN; more than one selector is refused. */
function splitSelector(requested: string): { name: string; selector?: string } {
  const arn = /^(arn:[^:]+:ssm:[^:]*:[^:]*:parameter\/[^:]*)(.*)$/.exec(requested)
  const [name, rest] = arn === null ? splitAt(requested) : [arn[1] as string, arn[2] as string]
  if (rest === undefined || rest === '') return { name }
  const selector = rest.slice(1)
  if (selector === '' || selector.includes(':')) throw badSelector()
  return { name, selector }
}

function splitAt(text: string): [string, string | undefined] {
  const colon = text.indexOf(':')
  return colon === -1 ? [text, undefined] : [text.slice(0, colon), text.slice(colon)]
}

function parameterFields(
  state: ParameterStoreState,
  parameter: StoredParameter,
  version: StoredVersion,
  decrypt: boolean,
  selector: string | undefined,
): object {
  return {
    Name: parameter.name,
    Type: version.type,
    Value: version.type === 'SecureString' && !decrypt ? state.ciphertext(parameter, version) : version.value,
    Version: version.version,
    ...(selector === undefined ? {} : { Selector: `:${selector}` }),
    LastModifiedDate: epochSeconds(version.modifiedAt),
    ARN: parameter.arn,
    DataType: 'text',
  }
}

/** A `/aws/reference/secretsmanager/…` read: the secret's value, no Parameter Store version. */
function referenceFields(state: ParameterStoreState, requested: string, decrypt: boolean): object {
  const { name, selector } = splitSelector(requested)
  if (!decrypt) throw needsDecryption()
  const { secret, version } = state.readSecret(name.slice(REFERENCE_PREFIX.length), selector)
  const sourceResult = {
    CreatedDate: epochSeconds(version.createdAt),
    Name: secret.id,
    VersionId: version.id,
    SecretString: version.value,
    VersionStages: [...version.stages],
    ARN: secret.arn,
  }
  return {
    Name: name,
    Type: 'SecureString',
    Value: version.value,
    ...(selector === undefined ? {} : { Selector: `:${selector}` }),
    LastModifiedDate: epochSeconds(version.createdAt),
    ARN: secret.arn,
    SourceResult: JSON.stringify(sourceResult),
  }
}

function read(state: ParameterStoreState, requested: string, decrypt: boolean): object {
  if (requested.startsWith(REFERENCE_PREFIX)) return referenceFields(state, requested, decrypt)
  const { name, selector } = splitSelector(requested)
  const parameter = state.find(name)
  return parameterFields(state, parameter, state.select(parameter, selector), decrypt, selector)
}

function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; NextToken?: string } {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64url').toString())
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw invalidNextToken()
  const end = start + size
  const next = end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined
  return { items: items.slice(start, end), ...(next === undefined ? {} : { NextToken: next }) }
}

function parameterType(input: Input): ParameterType | undefined {
  const type = optionalString(input, 'Type')
  if (type !== undefined && !(PARAMETER_TYPES as readonly string[]).includes(type)) {
    throw constraint('type', `Member must satisfy enum value set: [${PARAMETER_TYPES.join(', ')}]`)
  }
  return type as ParameterType | undefined
}

function tier(input: Input): ParameterTier | undefined {
  const value = optionalString(input, 'Tier')
  if (value === undefined) return undefined
  if (value !== 'Standard' && value !== 'Advanced') {
    throw constraint('tier', 'Member must satisfy enum value set: [Standard, Advanced]')
  }
  return value
}

/** Request handlers by operation name; each returns the JSON reply or throws a wire error. */
export const operations: Record<ParameterStoreOperation, Operation> = {
  GetParameter(state, input) {
    const name = requiredString(input, 'Name', NAME)
    return { Parameter: read(state, name, optionalBoolean(input, 'WithDecryption') ?? false) }
  },

  GetParameters(state, input) {
    const names = stringList(input, 'Names', { min: 1, max: 10, item: NAME }) ?? []
    if (input.Names === undefined || input.Names === null)
      throw constraint('names', 'Member must not be null')
    const decrypt = optionalBoolean(input, 'WithDecryption') ?? false
    const found: Array<{ Name: string }> = []
    const invalid: string[] = []
    for (const name of new Set(names)) {
      try {
        found.push(read(state, name, decrypt) as { Name: string })
      } catch (error) {
        if (!(error instanceof ParameterStoreEmulatorError)) throw error
        invalid.push(name)
      }
    }
    found.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
    return { Parameters: found, InvalidParameters: invalid }
  },

  GetParametersByPath(state, input) {
    const path = requiredString(input, 'Path', NAME)
    if (!path.startsWith('/')) throw validationError('The path must begin with a forward slash (/).')
    unsupported(input, 'ParameterFilters')
    const decrypt = optionalBoolean(input, 'WithDecryption') ?? false
    const recursive = optionalBoolean(input, 'Recursive') ?? false
    const size = optionalInteger(input, 'MaxResults', { min: 1, max: 10 }) ?? 10
    const token = optionalString(input, 'NextToken')
    const { items, NextToken } = page(state.under(path, recursive), token, size)
    return {
      Parameters: items.map((p) => parameterFields(state, p, state.select(p), decrypt, undefined)),
      ...(NextToken === undefined ? {} : { NextToken }),
    }
  },

  PutParameter(state, input) {
    unsupported(input, 'Policies')
    const version = state.put({
      name: requiredString(input, 'Name', NAME),
      value: requiredString(input, 'Value'),
      type: parameterType(input),
      overwrite: optionalBoolean(input, 'Overwrite') ?? false,
      tier: tier(input),
    })
    return { Version: version.version, Tier: version.tier }
  },

  LabelParameterVersion(state, input) {
    const name = requiredString(input, 'Name', NAME)
    const version = optionalInteger(input, 'ParameterVersion', { min: 1, max: Number.MAX_SAFE_INTEGER })
    const labels = stringList(input, 'Labels', { min: 1, max: 10, item: { min: 1, max: 100 } })
    if (labels === undefined) throw constraint('labels', 'Member must not be null')
    const result = state.label(name, labels, version)
    return { InvalidLabels: result.invalid, ParameterVersion: result.version }
  },

  DeleteParameter(state, input) {
    state.delete(requiredString(input, 'Name', NAME))
    return {}
  },
}

export function isOperation(name: string): name is ParameterStoreOperation {
  return Object.hasOwn(operations, name)
}
