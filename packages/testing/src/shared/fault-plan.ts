import { InvalidOptionsError } from '@latchkey/core'

/**
 * How well a fault's or latency's scope fits one call: `undefined` when it does not apply, else a
 * score where a higher one is more specific (a latency set for one path beats a global one).
 */
export type ScopeMatch<Scope> = (scope: Scope | undefined, target: string) => number | undefined

interface Rule<Action, Scope> {
  action: Action
  remaining: number
  scope: Scope | undefined
}

/** `number 42`, `string "x"`, `undefined`: what an option was, for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, 40))}`
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`
  return Array.isArray(value) ? 'array' : typeof value
}

/** Throws {@link InvalidOptionsError} naming the option, what it got and what it takes. */
export function invalid(option: string, value: unknown, allowed: string): never {
  throw new InvalidOptionsError(`${option} must be ${allowed}; got ${describeValue(value)}`)
}

/** The HTTP statuses a fault may answer with: a final response, 200–599. */
export function checkStatus(option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 200 || value > 599) {
    invalid(option, value, 'an integer HTTP status from 200 to 599')
  }
  return value
}

/** An optional string option. */
export function checkString(option: string, value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') invalid(option, value, 'a string')
  return value
}

/** A content type: a string Node can send as a header value (no control characters, Latin-1 only). */
export function checkContentType(option: string, value: unknown): string | undefined {
  const text = checkString(option, value)
  if (text !== undefined && (text === '' || !/^[\t\x20-\x7e\x80-\xff]+$/.test(text))) {
    invalid(option, value, 'a non-empty header value without control characters')
  }
  return text
}

function checkTimes(option: string, value: unknown): number {
  if (value === undefined) return 1
  if (
    typeof value !== 'number' ||
    !(value >= 1) ||
    (!Number.isInteger(value) && value !== Number.POSITIVE_INFINITY)
  ) {
    invalid(option, value, 'a positive integer or Infinity')
  }
  return value
}

/**
 * The fault queue and latency settings shared by every emulator: faults are used in the order
 * they were added, each by the calls its scope matches, `times` times; the most specific latency
 * applies. Emulators wrap it in their public `faults` object and validate what they add, so a
 * bad fault fails at the `faults` call, never inside a request.
 */
export class FaultPlan<Action, Scope> {
  #rules: Array<Rule<Action, Scope>> = []
  #latency: Array<{ scope: Scope | undefined; ms: number }> = []
  readonly #match: ScopeMatch<Scope>
  /** Prefix of option names in error messages, such as `'faults'`. */
  readonly #name: string

  constructor(match: ScopeMatch<Scope>, name = 'faults') {
    this.#match = match
    this.#name = name
  }

  /** Queues `action` for the next `times` matching calls. */
  add(action: Action, times: unknown, scope: Scope | undefined): void {
    const remaining = checkTimes(`${this.#name} option times`, times)
    this.#rules.push({ action, remaining, scope })
  }

  /** Sets (or with 0, removes) the latency of calls in `scope`. */
  setLatency(ms: unknown, scope: Scope | undefined): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 2_147_483_647) {
      invalid(`${this.#name}.setLatency ms`, ms, 'a number of milliseconds from 0 to 2147483647')
    }
    this.#latency = this.#latency.filter((entry) => entry.scope !== scope)
    if (ms > 0) this.#latency.push({ scope, ms })
  }

  /** Latency for one call: the setting whose scope matches it best. */
  latencyFor(target: string): number {
    let best: { score: number; ms: number } | undefined
    for (const entry of this.#latency) {
      const score = this.#match(entry.scope, target)
      if (score !== undefined && (best === undefined || score > best.score)) best = { score, ms: entry.ms }
    }
    return best?.ms ?? 0
  }

  /** Uses up one matching fault, if any. */
  take(target: string): Action | undefined {
    const index = this.#rules.findIndex((rule) => this.#match(rule.scope, target) !== undefined)
    const rule = this.#rules[index]
    if (rule === undefined) return undefined
    rule.remaining--
    if (rule.remaining <= 0) this.#rules.splice(index, 1)
    return rule.action
  }

  /** Failures still queued (`Infinity` when one lasts until reset). */
  get pending(): number {
    return this.#rules.reduce((sum, rule) => sum + rule.remaining, 0)
  }

  /** Removes every queued fault and all latency. */
  reset(): void {
    this.#rules = []
    this.#latency = []
  }
}
