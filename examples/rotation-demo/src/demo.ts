import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { AwsSecretsManagerSource, RdsIamAuthSource } from '@latchkey/aws'
import { CachedSecretProvider, type SecretSource } from '@latchkey/core'
import { startApp } from './app.js'
import { type CloudSigner, cloudSigner } from './iam-tokens.js'
import { DB_SECRET, IAM_USER, type Infra, startInfra } from './infra.js'
import { findLeaks } from './leaks.js'
import { LoadGenerator, percentile } from './load.js'
import type { DemoOptions } from './options.js'
import { Progress } from './progress.js'
import { type RotationStrategy, rotate } from './rotation.js'
import { routedSource } from './routed-source.js'
import { startTelemetry } from './telemetry.js'

/** What the demo measured. */
export interface DemoSummary {
  durationSeconds: number
  requests: number
  failedRequests: number
  failureSamples: string[]
  rotations: { 'single-user': number; 'alternating-users': number }
  /** Where the database credentials came from. */
  source: DemoOptions['source']
  /** `--source=rds-iam` only: the IAM auth tokens the source had minted, and what they did. */
  iam?: IamFigures
  secretsManagerCalls: number
  cacheHitRate: number
  staleServed: number
  staleEvents: number
  p50: number
  p99: number
  /** `GET /health` while the secret store was down, and at the end. */
  healthDuringOutage: string | undefined
  healthAtEnd: string
  /** Stale serves and loads as `GET /metrics` reported them at the end. */
  metricsStaleServes: number
  metricsLoads: number
  /** Secret values found in the `/metrics` and `/health` answers. */
  leakedInEndpoints: number
  /** `GET /metrics` answered 200 with latchkey's load counter in Prometheus text. */
  metricsEndpointOk: boolean
  logFile: string
  logLines: number
  redactedInLog: number
  leakedValues: number
  ok: boolean
}

/** What the IAM token run measured. */
export interface IamFigures {
  /** Lifetime of one token in seconds. */
  lifetimeSeconds: number
  /** Tokens the signer minted (one signer call each). */
  tokens: number
  /** Tokens whose lifetime ended while the load ran (the database then refused them). */
  expiries: number
  /** New credentials the pool moved to (`'rotate'` events of the database secret). */
  rotations: number
  /** Signer calls per token lifetime of run time (1 means one token per lifetime). */
  signerCallsPerLifetime: number
  /** Connections the pool opened, each a login with the token current at that moment. */
  connections: number
}

interface Phase {
  name: string
  until: number
  strategy?: RotationStrategy
  outage?: boolean
}

/** The schedule: single-user rotations, an outage (no rotations), then alternating-users rotations. */
export function plan(options: DemoOptions): Phase[] {
  const outage = Math.min(options.outage, options.duration / 3)
  const rotating = options.duration - outage
  // the single-user phase ends with a quiet TTL (see runDemo), so it gets the larger share
  const firstEnd = rotating * 0.55
  if (options.source === 'rds-iam') {
    // Tokens expire and are re-minted by themselves; the outage takes Secrets Manager (the API key) down.
    const phases: Phase[] = [{ name: 'iam tokens', until: firstEnd }]
    if (outage > 0) phases.push({ name: 'outage (stale)', until: firstEnd + outage, outage: true })
    phases.push({ name: 'iam tokens', until: options.duration })
    return phases
  }
  const phases: Phase[] = [{ name: 'single-user', until: firstEnd, strategy: 'single-user' }]
  if (outage > 0) phases.push({ name: 'outage (stale)', until: firstEnd + outage, outage: true })
  phases.push({ name: 'alternating-users', until: options.duration, strategy: 'alternating-users' })
  return phases
}

export async function runDemo(
  options: DemoOptions,
  out: NodeJS.WriteStream = process.stdout,
): Promise<DemoSummary> {
  const progress = new Progress(out, options.plain)
  const logFile = options.logFile ?? join(await mkdtemp(join(tmpdir(), 'latchkey-demo-')), 'app.log')
  progress.note('Starting PostgreSQL (embedded, scram-sha-256) and the Secrets Manager emulator…')
  const infra = await startInfra(options.source)
  const appClient = new SecretsManagerClient({ ...infra.emulator.clientConfig, maxAttempts: 1 })
  const { source, signer } = databaseSource(
    options,
    infra,
    new AwsSecretsManagerSource({ client: appClient }),
  )
  const provider = new CachedSecretProvider(source, {
    ttl: options.ttl * 1_000,
    maxStale: 10 * 60_000,
    retry: { retries: 2, baseDelay: 50, maxDelay: 500 },
    timeout: 2_000,
    logger: { warn: (message) => progress.note(`warning: ${message}`) },
  })
  let staleEvents = 0
  provider.on('stale', () => staleEvents++)
  let tokenRotations = 0
  provider.on('rotate', ({ name }) => {
    if (name === DB_SECRET) tokenRotations++
  })
  const telemetry = startTelemetry(provider)
  const demo = await startApp(
    provider,
    logFile,
    telemetry,
    signer === undefined ? {} : { database: infra.db.database },
  )
  let connections = 0
  demo.pool.on('connect', () => connections++)
  const endpointAnswers: string[] = []
  /** GET an operations endpoint of the app; every answer is kept for the leak check. */
  const fetchText = async (path: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(`${demo.url}${path}`)
    const text = await res.text()
    endpointAnswers.push(text)
    return { status: res.status, text }
  }
  progress.note(`App listening on ${demo.url}; log: ${logFile}`)
  if (signer !== undefined) {
    progress.note(
      `Database credentials: IAM auth tokens for ${IAM_USER} (RdsIamAuthSource, real @aws-sdk/rds-signer, fake static keys), each valid ${options.tokenLifetime} s; the demo plays RDS`,
    )
  }
  const phases = plan(options)
  const singleUserWindow = (phases[0]?.until ?? 0) - (phases[1]?.outage ? options.ttl + 1 : 0)
  if (signer === undefined && singleUserWindow < options.rotateEvery) {
    progress.note(
      `note: no single-user rotation fits before the outage; use a longer --duration, a shorter --ttl or --outage=0`,
    )
  }
  infra.emulator.resetCalls()

  const load = new LoadGenerator(demo.url, () => ({ 'x-api-key': infra.apiKey }))
  const rotations = { 'single-user': 0, 'alternating-users': 0 }
  const all: number[] = []
  const started = performance.now()
  const elapsed = () => (performance.now() - started) / 1_000
  let phase = phases[0] as (typeof phases)[number]
  let nextRotation = options.rotateEvery
  let outageOn = false
  let rotating: Promise<void> | undefined
  let rotationError: Error | undefined
  let healthDuringOutage: string | undefined

  load.start(options.concurrency)
  const snapshot = async () => {
    const recent = load.takeLatencies()
    all.push(...recent)
    const sorted = [...recent].sort((a, b) => a - b)
    // the cache figures come from the same OpenTelemetry metrics GET /metrics serves
    const figures = await telemetry.figures()
    progress.update({
      elapsed: Math.min(elapsed(), options.duration),
      total: options.duration,
      phase: phase.name,
      requests: load.requests,
      failures: load.failures,
      rotations:
        signer === undefined ? rotations['single-user'] + rotations['alternating-users'] : tokenRotations,
      backendCalls: infra.emulator.callCount(),
      loads: figures.loads,
      staleServes: figures.staleServes,
      hitRate: figures.hits / Math.max(1, figures.hits + figures.misses),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
    })
  }

  while (elapsed() < options.duration) {
    const now = elapsed()
    phase = phases.find((p) => now < p.until) ?? phase
    if (phase.outage && !outageOn) {
      outageOn = true
      // every operation: a reload asks DescribeSecret before GetSecretValue (the AWS source's version check)
      infra.emulator.faults.fail('internal', { times: Number.POSITIVE_INFINITY })
      progress.note(`${now.toFixed(1)}s  Secrets Manager outage starts: every call answers 500`)
    } else if (!phase.outage && outageOn) {
      outageOn = false
      const health = JSON.parse((await fetchText('/health')).text) as {
        status: string
        secrets: Array<{ name: string; status: string }>
      }
      healthDuringOutage = health.status
      progress.note(
        `${now.toFixed(1)}s  GET /health before the store comes back: ${health.status} (${health.secrets.map((s) => `${s.name} ${s.status}`).join(', ')})`,
      )
      infra.emulator.faults.reset()
      progress.note(
        `${now.toFixed(1)}s  outage over; stale values served meanwhile: ${provider.stats().staleServed}, 'stale' events: ${staleEvents}`,
      )
    }
    const strategy = phase.strategy
    // No single-user rotation just before the outage: the app must have read the new password
    // (within a TTL) before the secret store goes down, or no cache could help it.
    const outageNext = phases[phases.indexOf(phase) + 1]?.outage === true
    const quietBeforeNext = strategy === 'single-user' && outageNext && phase.until - now < options.ttl + 1
    if (strategy !== undefined && !quietBeforeNext && now >= nextRotation && rotating === undefined) {
      nextRotation = now + options.rotateEvery
      rotating = rotate(infra, strategy)
        .then((next) => {
          rotations[strategy]++
          progress.note(
            `${elapsed().toFixed(1)}s  rotated (${strategy}) → user ${next.username}, new password`,
          )
        })
        .catch((error: Error) => {
          rotationError = error
        })
        .finally(() => {
          rotating = undefined
        })
    }
    await snapshot()
    await sleep(250)
  }
  await rotating
  await load.stop()
  const loadEnded = Date.now()
  await snapshot()
  progress.finish()
  const stats = provider.stats()
  const healthAtEnd = (JSON.parse((await fetchText('/health')).text) as { status: string }).status
  const metrics = await fetchText('/metrics')
  const figures = await telemetry.figures()
  await demo.close()
  await telemetry.close()
  await provider.close()
  await infra.close()
  if (rotationError) throw rotationError

  const log = await readFile(logFile, 'utf8')
  const leaked = findLeaks(log, infra.allValues)
  const leakedInEndpoints = findLeaks(endpointAnswers.join('\n'), infra.allValues).length
  const sorted = all.sort((a, b) => a - b)
  const failureSamples = load.failureSamples.map((sample) =>
    findLeaks(sample, infra.allValues).length > 0 ? '[sample withheld: it contained a secret value]' : sample,
  )
  return {
    durationSeconds: options.duration,
    requests: load.requests,
    failedRequests: load.failures,
    failureSamples,
    rotations,
    source: options.source,
    ...(signer === undefined
      ? {}
      : { iam: iamFigures(signer, options, loadEnded, tokenRotations, connections) }),
    secretsManagerCalls:
      infra.emulator.callCount('GetSecretValue') + infra.emulator.callCount('BatchGetSecretValue'),
    cacheHitRate: stats.hits / Math.max(1, stats.hits + stats.misses),
    staleServed: stats.staleServed,
    staleEvents,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    healthDuringOutage,
    healthAtEnd,
    metricsStaleServes: figures.staleServes,
    metricsLoads: figures.loads,
    leakedInEndpoints,
    metricsEndpointOk: metrics.status === 200 && /^latchkey_loads_total\{/m.test(metrics.text),
    logFile,
    logLines: log.split('\n').filter(Boolean).length,
    redactedInLog: log.split('[REDACTED]').length - 1,
    leakedValues: leaked.length,
    ok: load.failures === 0 && leaked.length === 0 && leakedInEndpoints === 0 && load.requests > 0,
  }
}

/**
 * The provider's source: Secrets Manager for everything, or with `--source=rds-iam`, IAM auth
 * tokens for the database secret (a signer the demo runs as RDS would) and Secrets Manager for the rest.
 */
function databaseSource(
  options: DemoOptions,
  infra: Infra,
  secretsManager: SecretSource,
): { source: SecretSource; signer?: CloudSigner } {
  if (options.source !== 'rds-iam') return { source: secretsManager }
  const signer = cloudSigner(infra.db, options.tokenLifetime, infra.allValues)
  const tokens = new RdsIamAuthSource({
    hostname: infra.db.host,
    port: infra.db.port,
    username: IAM_USER,
    signer,
    // RDS's 60 s margin on a 900 s token; a quarter of the demo's short life here.
    expiryMarginMs: options.tokenLifetime * 250,
  })
  return { source: routedSource({ [DB_SECRET]: tokens }, secretsManager), signer }
}

function iamFigures(
  signer: CloudSigner,
  options: DemoOptions,
  loadEnded: number,
  rotations: number,
  connections: number,
): IamFigures {
  const first = signer.minted[0]?.at ?? loadEnded
  const lifetimes = (loadEnded - first) / (options.tokenLifetime * 1_000)
  return {
    lifetimeSeconds: options.tokenLifetime,
    tokens: signer.minted.length,
    expiries: signer.minted.filter((token) => token.expiresAt <= loadEnded).length,
    rotations,
    signerCallsPerLifetime: lifetimes > 0 ? signer.minted.length / lifetimes : 0,
    connections,
  }
}

function credentialRows(s: DemoSummary): Array<[string, string]> {
  if (s.iam === undefined) {
    return [
      ['rotations (single-user)', String(s.rotations['single-user'])],
      ['rotations (alternating-users)', String(s.rotations['alternating-users'])],
    ]
  }
  return [
    ['database credentials', `IAM auth tokens (RdsIamAuthSource), ${s.iam.lifetimeSeconds} s each`],
    ['tokens minted (signer calls)', String(s.iam.tokens)],
    ['token expiries under load', String(s.iam.expiries)],
    ['signer calls per token lifetime', s.iam.signerCallsPerLifetime.toFixed(2)],
    ['pool logins (connections made)', `${s.iam.connections} (${s.iam.rotations} token rotations)`],
  ]
}

export function formatSummary(s: DemoSummary): string {
  const rows: Array<[string, string]> = [
    ['duration', `${s.durationSeconds} s`],
    ['requests', String(s.requests)],
    ['failed requests', String(s.failedRequests)],
    ...credentialRows(s),
    ['Secrets Manager reads', String(s.secretsManagerCalls)],
    ['cache hit rate', `${(s.cacheHitRate * 100).toFixed(2)} %`],
    ['stale values served (outage)', `${s.staleServed} (${s.staleEvents} 'stale' events)`],
    ['latency p50 / p99', `${s.p50.toFixed(2)} ms / ${s.p99.toFixed(2)} ms`],
    ['GET /metrics: loads, stale serves', `${s.metricsLoads}, ${s.metricsStaleServes}`],
    ['GET /health (outage / end)', `${s.healthDuringOutage ?? 'no outage'} / ${s.healthAtEnd}`],
    ['secret values in /metrics, /health', String(s.leakedInEndpoints)],
    ['log lines', `${s.logLines} (${s.redactedInLog} [REDACTED] marks)`],
    ['secret values found in the log', String(s.leakedValues)],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)
  const verdict = s.ok
    ? 'PASS: no failed request, no secret in the log or the operations endpoints'
    : `FAIL: ${s.failedRequests} failed request(s), ${s.leakedValues + s.leakedInEndpoints} leaked value(s)`
  const samples = s.failureSamples.length
    ? `\n  first failures:\n${s.failureSamples.map((f) => `    ${f}`).join('\n')}`
    : ''
  return `\nSummary\n${lines.join('\n')}${samples}\n\n${verdict}\nlog file: ${s.logFile}\n`
}
