/**
 * Checkers for the documented policy grammars (docs/wire-facts.md#policy-facts), written from the
 * services' documents, independent of the code that writes the policies.
 */

const ARN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*|\*):(\d{12}|\*|):(.+)$/
const ACTION = /^[a-z0-9-]+:[A-Za-z*]+$/
const STATEMENT_KEYS = [
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
  'Principal',
]

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v])

/** Problems with an identity-based IAM policy document, per the IAM JSON policy grammar. */
export function iamProblems(doc: unknown): string[] {
  const problems: string[] = []
  const d = doc as Record<string, unknown>
  if (d.Version !== '2012-10-17') problems.push('Version must be "2012-10-17"')
  if (!Array.isArray(d.Statement) || d.Statement.length === 0)
    return [...problems, 'Statement must be a non-empty array']
  const sids = new Set<string>()
  for (const [i, s] of (d.Statement as Record<string, unknown>[]).entries()) {
    for (const key of Object.keys(s))
      if (!STATEMENT_KEYS.includes(key)) problems.push(`Statement[${i}].${key} is not an IAM element`)
    if (s.Principal !== undefined) problems.push(`Statement[${i}]: identity policies take no Principal`)
    if (s.Sid !== undefined) {
      if (typeof s.Sid !== 'string' || !/^[A-Za-z0-9]+$/.test(s.Sid))
        problems.push(`Statement[${i}].Sid must be alphanumeric`)
      if (sids.has(s.Sid as string)) problems.push(`Statement[${i}].Sid repeats`)
      sids.add(s.Sid as string)
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      problems.push(`Statement[${i}].Effect must be Allow or Deny`)
    for (const a of list(s.Action))
      if (typeof a !== 'string' || !ACTION.test(a)) problems.push(`Statement[${i}].Action ${String(a)}`)
    for (const r of list(s.Resource))
      if (typeof r !== 'string' || !ARN.test(r)) problems.push(`Statement[${i}].Resource ${String(r)}`)
    if (s.Condition !== undefined) {
      for (const [op, block] of Object.entries(s.Condition as object)) {
        if (!/^[A-Za-z]+(IfExists)?$/.test(op)) problems.push(`Statement[${i}].Condition operator ${op}`)
        for (const [key, values] of Object.entries(block as object)) {
          if (!/^[a-z0-9-]+:[A-Za-z/]+$/.test(key)) problems.push(`Statement[${i}].Condition key ${key}`)
          for (const v of list(values))
            if (typeof v !== 'string') problems.push(`Statement[${i}].Condition value`)
        }
      }
    }
  }
  return problems
}

/** IAM's ARN matching: `*` any run of characters, `?` exactly one. */
const arnMatches = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test(arn)

/** Whether the policy allows `action` on `resource` (Allow statements only; no Deny in our output). */
export function iamAllows(
  doc: { Statement: Array<Record<string, unknown>> },
  action: string,
  resource: string,
): boolean {
  return doc.Statement.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).some((a) => arnMatches(a as string, action)) &&
      list(s.Resource).some((r) => arnMatches(r as string, resource)),
  )
}

/**
 * Parses Vault's HCL policy form — `path "<path>" { capabilities = ["…", …] }` blocks and `#`
 * comments, nothing else — and throws on anything outside that grammar.
 */
export function parseVaultHcl(text: string): Array<{ path: string; capabilities: string[] }> {
  const rules: Array<{ path: string; capabilities: string[] }> = []
  const body = text.replace(/^\s*#.*$/gm, '')
  const block = /\s*path\s+"((?:[^"\\]|\\.)*)"\s*\{\s*capabilities\s*=\s*\[((?:\s*"[a-z]+"\s*,?)*)\]\s*\}\s*/y
  let at = 0
  while (at < body.length && body.slice(at).trim() !== '') {
    block.lastIndex = at
    const m = block.exec(body)
    if (m === null) throw new Error(`not Vault policy HCL at offset ${at}`)
    const capabilities = [...(m[2] as string).matchAll(/"([a-z]+)"/g)].map((c) => c[1] as string)
    for (const c of capabilities) {
      if (!['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny', 'subscribe'].includes(c))
        throw new Error(`unknown capability ${c}`)
    }
    rules.push({ path: m[1] as string, capabilities })
    at = block.lastIndex
  }
  return rules
}
