/**
 * JSON Merge Patch (RFC 7386), as Vault applies a KV v2 `PATCH` to the current version's data:
 * an object in the patch merges into the target key by key, `null` removes a key, anything else
 * replaces the value. Returns a new value; neither input is changed.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch)
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? structuredClone(target as Record<string, unknown>)
      : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}
