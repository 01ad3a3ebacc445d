import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { formatSummary, plan, runDemo } from './demo.js'
import { findLeaks } from './leaks.js'
import { DEFAULTS, parseOptions } from './options.js'

function sink(): NodeJS.WriteStream & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk)
      done()
    },
  }) as unknown as NodeJS.WriteStream & { text: string }
  stream.text = ''
  return stream
}

describe('rotation demo', () => {
  it('survives single-user and alternating-users rotations and an outage: no failed request, no leak', async () => {
    const out = sink()
    const summary = await runDemo(
      {
        ...DEFAULTS,
        duration: 20,
        rotateEvery: 1,
        concurrency: 20,
        outage: 4,
        ttl: 1.5,
        logFile: undefined,
        plain: true,
        source: 'secrets-manager',
      },
      out,
    )
    const report = formatSummary(summary)
    expect(summary.failedRequests, report).toBe(0)
    expect(summary.leakedValues, report).toBe(0)
    expect(summary.requests).toBeGreaterThan(100)
    expect(summary.rotations['single-user']).toBeGreaterThanOrEqual(3)
    expect(summary.rotations['alternating-users']).toBeGreaterThanOrEqual(3)
    expect(summary.staleServed).toBeGreaterThan(0)
    // GET /metrics counted what the cache counted, /health saw the outage, and neither leaked
    expect(summary.metricsStaleServes, report).toBe(summary.staleServed)
    expect(summary.metricsLoads, report).toBeGreaterThan(0)
    expect(summary.healthDuringOutage, report).toBe('degraded')
    expect(summary.healthAtEnd, report).toBe('ok')
    expect(summary.leakedInEndpoints, report).toBe(0)
    expect(summary.metricsEndpointOk, report).toBe(true)
    expect(out.text).toMatch(/GET \/health before the store comes back: degraded \(demo\/db (stale|fresh)/)
    expect(out.text).toMatch(/loads \d+ stale \d+ hit/)
    expect(summary.redactedInLog).toBeGreaterThan(0)
    expect(summary.ok).toBe(true)
    expect(out.text).toContain('outage over')
    expect(report).toContain('PASS')
    expect(summary.iam).toBeUndefined()
  })

  it('--source=rds-iam: IAM tokens from a local signer expire under load, the demo playing RDS: no failed request, no leak', async () => {
    const out = sink()
    const summary = await runDemo(
      {
        ...DEFAULTS,
        duration: 30,
        concurrency: 50,
        outage: 4,
        ttl: 1.5,
        tokenLifetime: 2,
        logFile: undefined,
        plain: true,
        source: 'rds-iam',
      },
      out,
    )
    const report = formatSummary(summary)
    const iam = summary.iam
    expect(iam, report).toBeDefined()
    if (iam === undefined) return
    expect(summary.failedRequests, report).toBe(0)
    expect(summary.leakedValues, report).toBe(0)
    expect(summary.leakedInEndpoints, report).toBe(0)
    expect(summary.requests, report).toBeGreaterThan(1_000)
    // 2 s tokens (1–2 s from their mint: RDS counts from X-Amz-Date, whole seconds) over ~30 s:
    // at least 15 expired while requests ran, each replaced by a new token
    expect(iam.expiries, report).toBeGreaterThanOrEqual(15)
    expect(iam.rotations, report).toBeGreaterThanOrEqual(iam.expiries)
    // cached the token's life less a 500 ms margin, refreshed ahead: about 2 mints per nominal
    // lifetime, never one per login
    expect(iam.signerCallsPerLifetime, report).toBeLessThanOrEqual(3)
    expect(iam.connections, report).toBeGreaterThan(iam.tokens)
    expect(summary.rotations, report).toEqual({ 'single-user': 0, 'alternating-users': 0 })
    // the outage took Secrets Manager (the API key) down; tokens kept coming from the local signer
    expect(summary.healthDuringOutage, report).toBe('degraded')
    expect(summary.healthAtEnd, report).toBe('ok')
    expect(summary.redactedInLog, report).toBeGreaterThan(0)
    expect(summary.ok, report).toBe(true)
    expect(report).toContain('token expiries under load')
    expect(out.text).toContain('IAM auth tokens for demo_iam')
  })
})

describe('options', () => {
  it('has defaults of about 30 s and rejects bad values with a message', () => {
    expect(parseOptions([])).toMatchObject(DEFAULTS)
    expect(parseOptions(['--duration=10', '--rotate-every=2', '--plain'])).toMatchObject({
      duration: 10,
      rotateEvery: 2,
      plain: true,
    })
    expect(() => parseOptions(['--duration=0'])).toThrow(/--duration must be a positive number/)
    expect(() => parseOptions(['--nope=1'])).toThrow(/unknown option/)
    expect(parseOptions(['--help'])).toBe('help')
    expect(parseOptions([])).toMatchObject({ source: 'secrets-manager', tokenLifetime: 2 })
    expect(parseOptions(['--source=rds-iam', '--token-lifetime=5'])).toMatchObject({
      source: 'rds-iam',
      tokenLifetime: 5,
    })
    expect(() => parseOptions(['--source=vault'])).toThrow(/--source must be one of secrets-manager, rds-iam/)
    expect(() => parseOptions(['--token-lifetime=1.5'])).toThrow(/--token-lifetime must be a whole number/)
    expect(() => parseOptions(['--token-lifetime=0'])).toThrow(/--token-lifetime must be a positive number/)
  })

  it('plans single-user rotations, then the outage, then alternating users', () => {
    const phases = plan({ ...DEFAULTS, logFile: undefined, plain: true, source: 'secrets-manager' })
    expect(phases.map((p) => p.name)).toEqual(['single-user', 'outage (stale)', 'alternating-users'])
    expect(phases.at(-1)?.until).toBe(DEFAULTS.duration)
  })

  it('plans IAM token phases around the outage, with no stored-password rotation', () => {
    const phases = plan({ ...DEFAULTS, logFile: undefined, plain: true, source: 'rds-iam' })
    expect(phases.map((p) => p.name)).toEqual(['iam tokens', 'outage (stale)', 'iam tokens'])
    expect(phases.every((p) => p.strategy === undefined)).toBe(true)
    expect(phases.at(-1)?.until).toBe(DEFAULTS.duration)
  })
})

describe('leak check', () => {
  it('finds values in raw, JSON-escaped and URL-encoded form', () => {
    const value = 'pw-"%+/&=\\x'
    expect(findLeaks(`a ${value} b`, [value])).toEqual([value])
    expect(findLeaks(JSON.stringify({ v: value }), [value])).toEqual([value])
    expect(findLeaks(`u=${encodeURIComponent(value)}`, [value])).toEqual([value])
    expect(findLeaks('clean', [value])).toEqual([])
  })
})
