import type { LoadContext, LoadedSecret, SecretSource } from '../src/types.js'

type Step = LoadedSecret | Error | ((name: string, ctx: LoadContext) => Promise<LoadedSecret>)

/** A source for core's own tests: answers from a script of results and counts every call. */
export class ScriptedSource implements SecretSource {
  readonly name = 'scripted'
  readonly calls: string[] = []
  readonly signals: AbortSignal[] = []
  readonly #script = new Map<string, Step[]>()
  readonly #fallback = new Map<string, Step>()
  latencyMs = 0

  /** Answers every load of `name` with `step` once the script for it runs out. */
  always(name: string, step: Step): this {
    this.#fallback.set(name, step)
    return this
  }

  /** Queues one-off answers for the next loads of `name`. */
  queue(name: string, ...steps: Step[]): this {
    this.#script.set(name, [...(this.#script.get(name) ?? []), ...steps])
    return this
  }

  count(name: string): number {
    return this.calls.filter((n) => n === name).length
  }

  async load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    this.calls.push(name)
    this.signals.push(ctx.signal)
    const step = this.#script.get(name)?.shift() ?? this.#fallback.get(name)
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs))
    if (step === undefined) throw new Error(`ScriptedSource has nothing for ${name}`)
    if (step instanceof Error) throw step
    if (typeof step === 'function') return step(name, ctx)
    return { ...step }
  }
}
