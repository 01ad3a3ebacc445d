import { censoredValue, createNamedKeyTest } from './sensitive-keys.js'

/** Censor applied to a matched key: a replacement string, or pino's `(value, path) => replacement` form. */
export type KeyCensor = string | ((value: unknown, path: string[]) => unknown)

/**
 * Key names whose values are censored (in any letter case) by `redactSecrets()` at any depth of the
 * line, and by {@link createKeyCensor} at the top of a log object or one or two levels down.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'pwd',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'authorization',
  'cookie',
  'apiKey',
  'api_key',
  'secret',
  'clientSecret',
  'client_secret',
  'privateKey',
  'private_key',
])

/** The pino-style paths the key censor applies for `keys`: `key`, `*.key` and `*.*.key` each. */
export function redactPathsFor(keys: readonly string[]): string[] {
  return keys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`])
}

/** {@link DEFAULT_REDACT_KEYS} as pino-style paths (`password`, `*.password`, `*.*.password`, …). */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze(redactPathsFor(DEFAULT_REDACT_KEYS))

/** Options for {@link createKeyCensor}. */
export interface KeyCensorOptions {
  /** Key names to censor, in any letter case. @default DEFAULT_REDACT_KEYS */
  keys?: readonly string[]
  /**
   * What a matched value becomes: a string censors it as the line censor does (strings, and every
   * string inside an object or array; numbers, booleans and `null` stay), a function is called with
   * the value and its path and its result logged. @default '[REDACTED]'
   */
  censor?: KeyCensor
  /** Remove matched keys instead of censoring their values. @default false */
  remove?: boolean
}

const MAX_DEPTH = 2
const DEFAULT_CENSOR = '[REDACTED]'
const REMOVED = Symbol('removed')
/** Stands for a property whose getter throws; such a property is left for pino to deal with. */
const UNREADABLE = Symbol('unreadable')

/** True for objects the censor descends into: plain objects and arrays (not errors, dates, buffers, class instances). */
function isContainer(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false
  try {
    if (Array.isArray(value)) return true
    const proto = Object.getPrototypeOf(value)
    return proto === Object.prototype || proto === null
  } catch {
    return false
  }
}

/**
 * Builds the function that censors `keys` in a log object: `key`, `*.key` and `*.*.key` (the
 * semantics of the equivalent pino `redact` paths, with keys compared in any letter case, as
 * `sensitive-keys.ts` defines for every censor) in one pass over plain objects and arrays.
 * It copies only the objects on the way to a match and never modifies its input; a value it cannot
 * read (a getter that throws) is left for pino to serialize.
 */
export function createKeyCensor(
  options: KeyCensorOptions = {},
): (object: Record<string, unknown>) => Record<string, unknown> {
  const isSensitive = createNamedKeyTest(options.keys ?? DEFAULT_REDACT_KEYS)
  const censor = options.censor ?? DEFAULT_CENSOR
  const remove = options.remove === true

  function replacement(value: unknown, depth: number, k0: string, k1: string | number, key: string): unknown {
    if (remove) return REMOVED
    if (typeof censor !== 'function') return censoredValue(value, censor)
    try {
      return censor(value, depth === 0 ? [key] : depth === 1 ? [k0, key] : [k0, String(k1), key])
    } catch {
      return DEFAULT_CENSOR
    }
  }

  function walk(value: object, depth: number, k0: string, k1: string): object {
    return Array.isArray(value) ? walkArray(value, depth, k0) : walkObject(value, depth, k0, k1)
  }

  function walkArray(value: unknown[], depth: number, k0: string): unknown[] {
    if (depth === 0 || depth >= MAX_DEPTH) return value
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = readIndex(value, i)
      if (!isContainer(item)) continue
      const next = walk(item, depth + 1, k0, String(i))
      if (next === item) continue
      copy ??= value.slice()
      copy[i] = next
    }
    return copy ?? value
  }

  function walkObject(value: object, depth: number, k0: string, k1: string): object {
    let copy: Record<string, unknown> | undefined
    const keys = Object.keys(value)
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      let child: unknown
      let next: unknown
      if (isSensitive(key)) {
        child = readProperty(value, key)
        next = replacement(child === UNREADABLE ? undefined : child, depth, k0, k1, key)
      } else if (depth < MAX_DEPTH) {
        child = readProperty(value, key)
        if (!isContainer(child)) continue
        next = depth === 0 ? walk(child, 1, key, '') : walk(child, 2, k0, key)
      } else {
        continue
      }
      if (next === child) continue
      copy ??= copyOwn(value)
      if (next === REMOVED) delete copy[key]
      else copy[key] = next
    }
    return copy ?? value
  }

  /**
   * The common case, without a guard per property: plain data objects. Anything unusual (a getter
   * that throws, a revoked proxy) throws out of it, and the careful walk above takes over.
   */
  function fastObject(
    value: Record<string, unknown>,
    depth: number,
    k0: string,
    k1: string | number,
  ): object {
    let copy: Record<string, unknown> | undefined
    for (const key in value) {
      const child = value[key]
      let next: unknown
      if (isSensitive(key)) {
        next = replacement(child, depth, k0, k1, key)
      } else if (depth < MAX_DEPTH && typeof child === 'object' && child !== null) {
        if (Array.isArray(child)) {
          if (depth === 0) next = fastArray(child, key)
          else continue
        } else {
          const proto = Object.getPrototypeOf(child)
          if (proto !== Object.prototype && proto !== null) continue
          next = fastObject(
            child as Record<string, unknown>,
            depth + 1,
            depth === 0 ? key : k0,
            depth === 0 ? '' : key,
          )
        }
      } else {
        continue
      }
      if (next === child) continue
      copy ??= { ...value }
      if (next === REMOVED) delete copy[key]
      else copy[key] = next
    }
    return copy ?? value
  }

  function fastArray(value: unknown[], k0: string): unknown[] {
    let copy: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (typeof item !== 'object' || item === null || Array.isArray(item)) continue
      const proto = Object.getPrototypeOf(item)
      if (proto !== Object.prototype && proto !== null) continue
      const next = fastObject(item as Record<string, unknown>, 2, k0, i)
      if (next === item) continue
      copy ??= value.slice()
      copy[i] = next
    }
    return copy ?? value
  }

  return function censorKeys(object) {
    if (typeof object !== 'object' || object === null) return object
    try {
      if (isContainer(object) && !Array.isArray(object))
        return fastObject(object, 0, '', '') as Record<string, unknown>
    } catch {
      // fall through to the careful walk
    }
    try {
      return walk(object, 0, '', '') as Record<string, unknown>
    } catch {
      return object
    }
  }
}

function readIndex(array: unknown[], index: number): unknown {
  try {
    return array[index]
  } catch {
    return undefined
  }
}

/** `object[key]`, or {@link UNREADABLE} when its getter throws. */
function readProperty(object: object, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key]
  } catch {
    return UNREADABLE
  }
}

/** A plain copy of an object's own enumerable properties; properties that cannot be read are skipped. */
function copyOwn(value: object): Record<string, unknown> {
  try {
    return { ...value } as Record<string, unknown>
  } catch {
    const copy: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      try {
        copy[key] = (value as Record<string, unknown>)[key]
      } catch {
        // A throwing getter: leave the property out of the copy rather than fail the log call.
      }
    }
    return copy
  }
}
