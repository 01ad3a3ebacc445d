import { checkContentType, checkStatus, checkString, FaultPlan, invalid } from './fault-plan.js'

/** The members every emulator's custom fault has besides the one naming its error. */
export interface CustomFaultFields {
  status: number
  message?: string
  body?: string
  contentType?: string
}

/**
 * Fault injection for a running emulator, the same controls for every backend: each names its
 * faults (`Fault`), how a fault is scoped to calls (`FailOptions`: `times` and an operation, RPC
 * or path) and how latency is scoped (`LatencyOptions`). Faults queue up and are used in the order
 * they were added. Every method checks its arguments and throws `InvalidOptionsError`
 * (`ERR_SECRET_INVALID_OPTIONS`) for a fault, count, latency or scope it cannot use.
 */
export interface EmulatorFaults<Fault, FailOptions, LatencyOptions, DropOptions = FailOptions> {
  /** Delays every reply (or only the scoped calls') by `ms` before anything else happens. 0 removes it. */
  setLatency(ms: number, options?: LatencyOptions): void
  /** Makes the next matching calls fail with `fault` instead of running. */
  fail(fault: Fault, options?: FailOptions): void
  /** Makes the next matching calls end with the socket destroyed and no response at all. */
  drop(options?: DropOptions): void
  /** Failures still queued (`Infinity` when one lasts until reset). */
  readonly pending: number
  /** Removes every queued fault and all latency. */
  reset(): void
}

/** What a faulted call does instead of running: fail with `fault`, or drop the connection. */
export type FaultAction<Fault> = { kind: 'fail'; fault: Fault } | { kind: 'drop' }

/** The faults one emulator knows and how its calls are scoped. */
export interface FaultVocabulary<Kind extends string, Scope extends string, Option extends string> {
  /** The named failures, as `faults.fail('<kind>')` takes them. */
  kinds: readonly Kind[]
  /** The member of a custom fault naming the JSON error: `type` (AWS `__type`) or `code`. */
  errorMember: 'type' | 'code'
  /** Checks the `errorMember` value. @default an optional string */
  checkError?: (option: string, value: unknown) => string | undefined
  /** Checks the members only this emulator's custom fault has, after the shared ones. */
  checkExtra?: (given: Record<string, unknown>) => Record<string, unknown>
  /** The option naming a call's scope (`operation`, `rpc`) and the values it takes. */
  scopeOption: Option
  scopes: readonly Scope[]
}

/** Options every fault takes: how many calls, and which. */
export type ScopeOptions<Scope extends string, Option extends string> = { times?: number } & {
  [K in Option]?: Scope
}

/**
 * A fault as given, checked field by field: one of the named kinds, or a custom fault object.
 * Throws `InvalidOptionsError` at the `faults` call, so a bad fault never fails inside a request.
 */
export function checkFault<Kind extends string, Custom extends CustomFaultFields>(
  vocabulary: Pick<
    FaultVocabulary<Kind, string, string>,
    'kinds' | 'errorMember' | 'checkError' | 'checkExtra'
  >,
  fault: unknown,
): Kind | Custom {
  const { kinds, errorMember } = vocabulary
  if (typeof fault === 'string') {
    if ((kinds as readonly string[]).includes(fault)) return fault as Kind
    invalid(
      'faults.fail fault',
      fault,
      `one of ${kinds.map((k) => `'${k}'`).join(', ')} or a { status } object`,
    )
  }
  if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) {
    invalid(
      'faults.fail fault',
      fault,
      `a fault name or a { status, ${errorMember}?, message?, body?, contentType? } object`,
    )
  }
  const given = fault as Record<string, unknown>
  const checked: Record<string, unknown> = { status: checkStatus('faults.fail status', given.status) }
  const error = (vocabulary.checkError ?? checkString)(`faults.fail ${errorMember}`, given[errorMember])
  const message = checkString('faults.fail message', given.message)
  const body = checkString('faults.fail body', given.body)
  const contentType = checkContentType('faults.fail contentType', given.contentType)
  if (error !== undefined) checked[errorMember] = error
  if (message !== undefined) checked.message = message
  if (body !== undefined) checked.body = body
  if (contentType !== undefined) checked.contentType = contentType
  return Object.assign(checked, vocabulary.checkExtra?.(given)) as unknown as Custom
}

/**
 * An emulator's public `faults` object over the shared {@link FaultPlan}: faults scoped to one
 * operation (or RPC) or to all, every argument checked when it is given. Each emulator adds its
 * `fail`, which decides what a failing call carries.
 */
export class ScopedFaults<Scope extends string, Option extends string, Action> {
  readonly #plan = new FaultPlan<Action | { kind: 'drop' }, Scope>((scope, target) =>
    scope === undefined ? 0 : scope === target ? 1 : undefined,
  )
  readonly #option: Option
  readonly #scopes: readonly Scope[]

  constructor(option: Option, scopes: readonly Scope[]) {
    this.#option = option
    this.#scopes = scopes
  }

  /** The scope named in `options`, checked. */
  protected scopeOf(options: { [K in Option]?: unknown }): Scope | undefined {
    const scope = (options as Record<string, unknown>)[this.#option]
    if (
      scope === undefined ||
      (typeof scope === 'string' && (this.#scopes as readonly string[]).includes(scope))
    ) {
      return scope as Scope | undefined
    }
    return invalid(`faults option ${this.#option}`, scope, `one of ${this.#scopes.join(', ')}`)
  }

  /** Queues `action` for the calls `options` names. */
  protected queue(action: Action, options: ScopeOptions<Scope, Option>): void {
    this.#plan.add(action, options.times, this.scopeOf(options))
  }

  setLatency(ms: number, options: { [K in Option]?: Scope } = {}): void {
    this.#plan.setLatency(ms, this.scopeOf(options))
  }

  drop(options: ScopeOptions<Scope, Option> = {}): void {
    this.#plan.add({ kind: 'drop' }, options.times, this.scopeOf(options))
  }

  get pending(): number {
    return this.#plan.pending
  }

  reset(): void {
    this.#plan.reset()
  }

  /** Latency for one call: its scope's setting, else the global one. */
  latencyFor(target: string): number {
    return this.#plan.latencyFor(target)
  }

  /** Uses up one matching fault, if any. */
  take(target: string): Action | { kind: 'drop' } | undefined {
    return this.#plan.take(target)
  }

  /**
   * Uses up one matching fault for a call and names it on `call.fault` (`'custom'` for a custom
   * fault): a drop destroys `socket` and returns `'dropped'`; a failure is returned for the
   * caller to answer with.
   */
  apply(
    target: string,
    call: { fault?: string },
    socket: { destroy(): void },
  ): Exclude<Action, { kind: 'drop' }> | 'dropped' | undefined {
    const action = this.#plan.take(target)
    if (action === undefined) return undefined
    if ((action as { kind: string }).kind === 'drop') {
      call.fault = 'drop'
      socket.destroy()
      return 'dropped'
    }
    const { fault } = action as unknown as { fault: unknown }
    call.fault = typeof fault === 'string' ? fault : 'custom'
    return action as Exclude<Action, { kind: 'drop' }>
  }
}
