/** Reads `object[key]`, or `undefined` when the read throws (a getter, a revoked proxy). */
export function readProperty(object: object, key: PropertyKey): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key]
  } catch {
    return undefined
  }
}

/** The object's own enumerable string keys, or none when they cannot be listed. */
export function ownKeys(object: object): string[] {
  try {
    return Object.keys(object)
  } catch {
    return []
  }
}
