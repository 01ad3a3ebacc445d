import {
  type LoadContext,
  type LoadedSecret,
  type SecretSource,
  SecretUnavailableError,
} from '@latchkey/core'

/**
 * An in-process store whose latency runs on timers (so fake timers drive it), which rotates on
 * command and can be down (fails after its latency) or hung (answers only when aborted). It
 * remembers when each version stopped being current, so a test can say how old a served value is.
 */
export class ScriptedSource implements SecretSource {
  readonly name = 'scripted'
  mode: 'up' | 'down' | 'hung' = 'up'
  loads = 0
  readonly #values = new Map<string, { value: string; version: string }>()
  /** When each version was replaced (ms since the epoch); absent while current. */
  readonly replacedAt = new Map<string, number>()
  #counter = 0
  readonly #latency: number

  constructor(latencyMs: number) {
    this.#latency = latencyMs
  }

  set(name: string, value: string): string {
    const old = this.#values.get(name)
    if (old !== undefined) this.replacedAt.set(old.version, Date.now())
    const version = `v${++this.#counter}`
    this.#values.set(name, { value, version })
    return version
  }

  load(name: string, ctx: LoadContext): Promise<LoadedSecret> {
    this.loads++
    return new Promise((resolve, reject) => {
      const fail = () => reject(new SecretUnavailableError({ secretName: name, source: this.name }))
      ctx.signal.addEventListener('abort', fail, { once: true })
      if (this.mode === 'hung') return
      setTimeout(() => {
        ctx.signal.removeEventListener('abort', fail)
        const held = this.#values.get(name)
        if (this.mode === 'down' || held === undefined) fail()
        else resolve({ ...held })
      }, this.#latency)
    })
  }
}
