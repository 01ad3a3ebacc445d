import { ErrorCode, SecretError, SecretPreloadError } from '@latchkey/core'
import { canary } from '@latchkey/test-support'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FrozenSandbox } from '../test/sandbox.js'
import { ScriptedSource } from '../test/scripted-source.js'
import { withSecrets } from './index.js'

const TTL = 60_000
const MAX_STALE = 600_000
const LAMBDA_TIMEOUT = 3_000
const cache = {
  ttl: TTL,
  maxStale: MAX_STALE,
  timeout: 1_000,
  retry: { retries: 2, baseDelay: 100, maxDelay: 500 },
}

/** A seeded generator, so a failing run can be replayed. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648
    return state / 2_147_483_648
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') })
})
afterEach(() => {
  vi.useRealTimers()
})

function sandboxOver(source: ScriptedSource) {
  // "import" of the handler module: the init phase
  const handler = withSecrets(
    async (_event: unknown, context) => ({
      value: context.secrets.db.reveal(),
      version: context.secrets.db.version as string,
    }),
    { source, secrets: { db: 'prod/db' }, ...cache },
  )
  return { handler, sandbox: new FrozenSandbox(handler, LAMBDA_TIMEOUT) }
}

describe('a handler frozen between invocations (no timers fire, the clock jumps)', () => {
  it('0 failed invocations across rotations and a store outage; values never older than ttl + maxStale; all within the deadline', async () => {
    const source = new ScriptedSource(20)
    const values = new Map<string, string>()
    const rotate = () => {
      const value = canary(`db-${values.size}`)
      values.set(source.set('prod/db', value), value)
    }
    rotate()
    const { handler, sandbox } = sandboxOver(source)
    const next = random(25)
    let failed = 0
    let rotations = 0
    let worstElapsed = 0
    let worstAge = 0
    let staleServed = 0
    let outageStart = Number.POSITIVE_INFINITY
    let outageInvocations = 0
    for (let i = 0; i < 400; i++) {
      if (i % 25 === 24) {
        rotate()
        rotations++
      }
      // the outage, 8 minutes from invocation 150: down, then hung (each attempt runs into its 1 s timeout)
      if (i === 150) outageStart = Date.now()
      const into = Date.now() - outageStart
      source.mode = i < 150 || into >= 480_000 ? 'up' : into < 240_000 ? 'down' : 'hung'
      if (source.mode !== 'up') outageInvocations++
      const roll = next()
      sandbox.freeze(
        roll < 0.6
          ? Math.floor(next() * 20_000)
          : roll < 0.9
            ? 30_000 + Math.floor(next() * 60_000)
            : 120_000,
      )
      const run = await sandbox.invoke({ i })
      worstElapsed = Math.max(worstElapsed, run.elapsed)
      if (!run.ok || run.result === undefined) {
        failed++
        continue
      }
      expect(run.result.value).toBe(values.get(run.result.version))
      const replaced = source.replacedAt.get(run.result.version)
      const age = replaced === undefined ? 0 : Date.now() - replaced
      if (age > 0) staleServed++
      worstAge = Math.max(worstAge, age)
    }
    process.env.LATCHKEY_FREEZE_FIGURES === '1' &&
      process.stdout.write(
        `${JSON.stringify({ failed, rotations, worstElapsed, worstAge, staleServed, outageInvocations, loads: source.loads })}\n`,
      )
    expect(failed).toBe(0)
    expect(rotations).toBe(16)
    expect(worstAge).toBeLessThanOrEqual(TTL + MAX_STALE)
    expect(worstElapsed).toBeLessThanOrEqual(LAMBDA_TIMEOUT)
    // the outage made it serve replaced values for a while, and it recovered afterwards
    expect(staleServed).toBeGreaterThan(0)
    expect(outageInvocations).toBeGreaterThan(5)
    const last = await sandbox.invoke({ final: true })
    expect(last.result?.version).toBe([...values.keys()].at(-1))
    await handler.provider.close()
  })

  it('preloads in the init phase: the first invocation after a freeze makes no call of its own', async () => {
    const source = new ScriptedSource(20)
    source.set('prod/db', canary('init'))
    const { handler, sandbox } = sandboxOver(source)
    await vi.advanceTimersByTimeAsync(50) // the init phase runs on until the runtime asks for work
    expect(source.loads).toBe(1)
    sandbox.freeze(1_000)
    const run = await sandbox.invoke({})
    expect(run.ok).toBe(true)
    expect(run.elapsed).toBe(0)
    expect(source.loads).toBe(1)
    await handler.provider.close()
  })

  it('a value past expiry is reloaded at invocation start, not by a timer', async () => {
    const source = new ScriptedSource(20)
    source.set('prod/db', canary('first'))
    const { handler, sandbox } = sandboxOver(source)
    await sandbox.invoke({})
    const rotated = source.set('prod/db', canary('second'))
    sandbox.freeze(TTL + 1)
    const run = await sandbox.invoke({})
    expect(run.result?.version).toBe(rotated)
    expect(run.elapsed).toBeLessThan(LAMBDA_TIMEOUT)
    await handler.provider.close()
  })

  it('an outage longer than maxStale fails the invocation with a typed error within its deadline, then recovers', async () => {
    const source = new ScriptedSource(20)
    source.set('prod/db', canary('long-outage'))
    const { handler, sandbox } = sandboxOver(source)
    await sandbox.invoke({})
    source.mode = 'hung'
    sandbox.freeze(TTL + MAX_STALE + 1)
    const run = await sandbox.invoke({})
    expect(run.ok).toBe(false)
    expect(run.timedOut).toBe(false)
    expect(run.error).toBeInstanceOf(SecretPreloadError)
    const preload = run.error as SecretPreloadError
    expect(preload.errors.map((e) => [e.secretName, e.code])).toEqual([['prod/db', ErrorCode.TIMEOUT]])
    expect(run.elapsed).toBeLessThanOrEqual(LAMBDA_TIMEOUT)
    source.mode = 'up'
    const after = await sandbox.invoke({})
    expect(after.ok).toBe(true)
    await handler.provider.close()
  })

  it('a permanent failure is never hidden by a stale value', async () => {
    const source = new ScriptedSource(20)
    source.set('prod/db', canary('deleted'))
    const { handler, sandbox } = sandboxOver(source)
    await sandbox.invoke({})
    Object.assign(source, {
      load: (name: string) =>
        Promise.reject(
          new SecretError(ErrorCode.NOT_FOUND, `${name} was not found`, false, { secretName: name }),
        ),
    })
    sandbox.freeze(TTL + 1)
    const run = await sandbox.invoke({})
    expect(run.ok).toBe(false)
    expect((run.error as SecretPreloadError).errors[0]?.code).toBe(ErrorCode.NOT_FOUND)
    await handler.provider.close()
  })
})
