import { InvalidSecretNameError } from '@latchkey/core'

/** The name of a Secrets Manager secret read through Parameter Store starts with this path. */
export const REFERENCE_PREFIX = '/aws/reference/secretsmanager/'
/** The longest name Parameter Store lets anyone create (the ARN text before it counts too). */
const MAX_NAME_LENGTH = 1011
/** Levels a parameter hierarchy may have. */
const MAX_LEVELS = 15

/** What a name given to {@link AwsParameterStoreSource} asks for. */
export type ParameterRef =
  /** One parameter, its latest version or the one a `:version` / `:label` selector picks. */
  | { kind: 'parameter'; label?: string }
  /** A Secrets Manager secret through `/aws/reference/secretsmanager/<id>[:<version id or stage>]`. */
  | { kind: 'reference' }
  /** Every parameter under a path (a name ending in `/`), read with GetParametersByPath. */
  | { kind: 'path'; path: string; prefix: string }

function reject(name: string, source: string, reason: string): never {
  throw new InvalidSecretNameError(`parameter name "${name}" ${reason}`, { secretName: name, source })
}

/** Checks a name (no selector) against Parameter Store's naming rules; returns the reason it fails, if it does. */
function nameProblem(name: string): string | undefined {
  if (!/^[A-Za-z0-9_.\-/]+$/.test(name)) {
    return 'may contain only letters, digits and the symbols . - _ (and / between hierarchy levels)'
  }
  if (name.length > MAX_NAME_LENGTH) return `is longer than ${MAX_NAME_LENGTH} characters`
  if (name.includes('/') && !name.startsWith('/')) return 'is a hierarchy and must start with "/"'
  const segments = name.startsWith('/') ? name.slice(1).split('/') : [name]
  if (segments.some((segment) => segment === '')) return 'has an empty hierarchy level ("//")'
  if (segments.length > MAX_LEVELS) return `has more than ${MAX_LEVELS} hierarchy levels`
  const first = (segments[0] as string).toLowerCase()
  if (first.startsWith('ssm')) return 'starts with "ssm", which Parameter Store reserves'
  // `/aws/…` is AWS's own namespace (public parameters such as /aws/service/…): readable, never created.
  if (first.startsWith('aws') && !(name.startsWith('/aws/') && first === 'aws')) {
    return 'starts with "aws", which Parameter Store reserves (only AWS\'s own /aws/… parameters are readable)'
  }
  return undefined
}

/** Labels: 1–100 of `A-Za-z0-9_.-`, not starting with a digit, `aws` or `ssm`. */
function labelProblem(label: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(label)) return 'a label is 1–100 of the characters A-Z a-z 0-9 . - _'
  if (/^[0-9]/.test(label)) return 'a label cannot start with a digit'
  if (/^(aws|ssm)/i.test(label)) return 'a label cannot start with "aws" or "ssm"'
  return undefined
}

function splitSelector(text: string, name: string, source: string): [string, string | undefined] {
  const colon = text.indexOf(':')
  if (colon === -1) return [text, undefined]
  const selector = text.slice(colon + 1)
  if (selector === '' || selector.includes(':')) {
    reject(name, source, 'has a malformed selector; use name:version or name:label (one ":")')
  }
  return [text.slice(0, colon), selector]
}

/**
 * Checks `name` against Parameter Store's rules before any call and says what it asks for. Throws
 * `InvalidSecretNameError` (`ERR_SECRET_INVALID_NAME`) for a name the service would refuse or
 * could never hold.
 */
export function parseParameterName(name: string, source: string): ParameterRef {
  if (name.startsWith('arn:')) {
    const arn = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:[0-9]{12}:parameter\/(.+)$/.exec(name)
    if (arn === null)
      reject(name, source, 'is not a Parameter Store ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)')
    const [rest, selector] = splitSelector(arn[1] as string, name, source)
    if (rest.endsWith('/'))
      reject(name, source, 'is an ARN ending in "/"; read a hierarchy by its path instead')
    const problem = nameProblem(rest.includes('/') ? `/${rest}` : rest)
    if (problem !== undefined) reject(name, source, problem)
    return selectorRef(selector, name, source)
  }
  if (name.startsWith(REFERENCE_PREFIX)) {
    if (name.endsWith('/'))
      reject(name, source, 'lists Secrets Manager references, which Parameter Store cannot do')
    const [id, selector] = splitSelector(name.slice(REFERENCE_PREFIX.length), name, source)
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(id)) {
      reject(name, source, 'names a Secrets Manager secret that is not 1–512 of A-Z a-z 0-9 / _ + = . @ -')
    }
    if (selector !== undefined && !/^[A-Za-z0-9._-]{1,256}$/.test(selector)) {
      reject(
        name,
        source,
        'selects a Secrets Manager version or stage with characters other than A-Z a-z 0-9 . - _',
      )
    }
    return { kind: 'reference' }
  }
  if (name.endsWith('/')) {
    if (!name.startsWith('/')) reject(name, source, 'is a path and must start with "/"')
    if (name.includes(':')) reject(name, source, 'is a path; a path takes no :version or :label selector')
    const path = name === '/' ? '/' : name.slice(0, -1)
    const problem = path === '/' ? undefined : nameProblem(path)
    if (problem !== undefined) reject(name, source, problem)
    return { kind: 'path', path, prefix: name }
  }
  const [base, selector] = splitSelector(name, name, source)
  const problem = nameProblem(base)
  if (problem !== undefined) reject(name, source, problem)
  return selectorRef(selector, name, source)
}

function selectorRef(selector: string | undefined, name: string, source: string): ParameterRef {
  if (selector === undefined) return { kind: 'parameter' }
  if (/^[0-9]+$/.test(selector)) {
    const version = Number(selector)
    if (version < 1 || !Number.isSafeInteger(version))
      reject(name, source, 'selects a version below 1 or too large')
    return { kind: 'parameter' }
  }
  const problem = labelProblem(selector)
  if (problem !== undefined) reject(name, source, `selects a label it cannot have: ${problem}`)
  return { kind: 'parameter', label: selector }
}
