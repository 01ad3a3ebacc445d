import * as http from './http.js'
import {
  CAPABILITIES,
  compile,
  DEFAULT_RULES,
  type Rule,
  toHcl,
  type VaultCapability,
  type VaultPolicyRule,
} from './policy-rules.js'

interface Policy {
  text: string
  rules: Rule[]
}

/** Drops `#` and `//` comments to the end of a line (outside quotes: policy paths hold neither). */
function stripComments(text: string): string {
  return text.replace(/(^|[^"])(#|\/\/)[^\n]*/g, '$1')
}

function checkCapabilities(path: string, capabilities: unknown): VaultCapability[] {
  if (!Array.isArray(capabilities)) http.badRequest(`failed to parse policy: path "${path}": no capabilities`)
  for (const c of capabilities) {
    if (typeof c !== 'string' || !CAPABILITIES.has(c)) {
      http.badRequest(`failed to parse policy: path "${path}": invalid capability "${String(c)}"`)
    }
  }
  return capabilities as VaultCapability[]
}

/**
 * A policy document as Vault reads it: HCL (`path "<p>" { capabilities = [...] }` blocks) or
 * JSON (`{"path": {"<p>": {"capabilities": [...]}}}`). 400 `failed to parse policy: …` otherwise.
 */
export function parsePolicy(text: string): VaultPolicyRule[] {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(trimmed)
    } catch {
      http.badRequest('failed to parse policy: invalid JSON')
    }
    const paths = (parsed as { path?: unknown }).path
    if (typeof paths !== 'object' || paths === null)
      http.badRequest('failed to parse policy: no "path" object')
    return Object.entries(paths as Record<string, { capabilities?: unknown }>).map(([path, block]) => ({
      path,
      capabilities: checkCapabilities(path, block?.capabilities),
    }))
  }
  const rules: VaultPolicyRule[] = []
  let rest = stripComments(text).trim()
  const block = /^path\s+"([^"]*)"\s*\{([^{}]*)\}\s*/
  while (rest.length > 0) {
    const match = block.exec(rest)
    if (match === null) http.badRequest('failed to parse policy: expected a path "<path>" { … } block')
    const [, path = '', body = ''] = match
    const list = /capabilities\s*=\s*\[([^\]]*)\]/.exec(body)
    const capabilities = list?.[1]
      ?.split(',')
      .map((c) => c.trim().replace(/^"|"$/g, ''))
      .filter((c) => c !== '')
    rules.push({ path, capabilities: checkCapabilities(path, capabilities) })
    rest = rest.slice(match[0].length)
  }
  return rules
}

/** An answer that carries `data`'s fields at the top level too, as Vault's legacy `sys/` endpoints do. */
function legacy(data: Record<string, unknown>): http.VaultReply {
  const body: http.Envelope & Record<string, unknown> = { ...data, ...http.envelope({ data }) }
  return { status: 200, body }
}

/** ACL policies by name: `default` (Vault's, editable) and `root` (every capability, fixed). */
export class PolicyStore {
  readonly #policies = new Map<string, Policy>()

  constructor() {
    this.#put('default', toHcl(DEFAULT_RULES), DEFAULT_RULES)
  }

  #put(name: string, text: string, rules: VaultPolicyRule[]): void {
    this.#policies.set(name, { text, rules: rules.map(compile) })
  }

  /** The compiled rules of a named policy; none for an unknown name. */
  rulesOf(name: string): readonly Rule[] {
    return this.#policies.get(name)?.rules ?? []
  }

  /** Writes a policy from its document. */
  write(name: string, text: string): void {
    this.#put(name, text, parsePolicy(text))
  }

  names(): string[] {
    return ['root', ...[...this.#policies.keys()]].sort()
  }

  isPath(path: string): boolean {
    return path === 'sys/policy' || path.startsWith('sys/policy/') || path.startsWith('sys/policies/acl')
  }

  /** `sys/policy[/<name>]` (legacy, `rules`) and `sys/policies/acl[/<name>]` (`policy`). */
  handle(request: http.VaultRequest): http.VaultReply {
    const acl = request.path.startsWith('sys/policies/acl')
    const name = request.path.replace(acl ? /^sys\/policies\/acl\/?/ : /^sys\/policy\/?/, '').toLowerCase()
    if (name === '') {
      if (acl && !request.list) http.unsupported()
      if (!acl && request.method !== 'GET' && !request.list) http.unsupported()
      const keys = this.names()
      return acl ? http.ok({ data: { keys } }) : legacy({ keys, policies: keys })
    }
    switch (request.method) {
      case 'GET': {
        if (name === 'root')
          return acl ? http.ok({ data: { name, policy: '' } }) : legacy({ name, rules: '' })
        const policy = this.#policies.get(name)
        if (policy === undefined) http.notFound()
        return acl ? http.ok({ data: { name, policy: policy.text } }) : legacy({ name, rules: policy.text })
      }
      case 'POST':
      case 'PUT': {
        if (name === 'root') http.badRequest('cannot update root policy')
        const text = request.body?.policy ?? request.body?.rules
        if (typeof text !== 'string' || text.trim() === '')
          http.badRequest("'policy' parameter not supplied or empty")
        this.write(name, text)
        return http.noContent
      }
      case 'DELETE':
        if (name === 'root' || name === 'default') http.badRequest(`cannot delete ${name} policy`)
        this.#policies.delete(name)
        return http.noContent
      default:
        return http.unsupported()
    }
  }
}
