/**
 * Lambda cold start and warm invocation, latchkey against the tools Lambda users reach for, in one
 * run and against one Secrets Manager emulator (real HTTP, the real SDK client):
 *
 * - *latchkey*: `withSecrets(handler, { source: new AwsSecretsManagerSource(), secrets })`
 * - *Powertools*: `getSecret(name)` from `@aws-lambda-powertools/parameters/secrets` (v2)
 * - *middy*: `@middy/secrets-manager` with `setToContext` on `@middy/core` 6
 * - *AWS SDK alone*: a handler calling `SecretsManagerClient` directly, no cache: the floor the
 *   three others build on (the bench prints each one's CPU time above it)
 *
 * 1. Cold start = import of the esbuild-bundled handler (`bundle`, `minify`, `platform: node`,
 *    as users deploy) + its first invocation, each in a fresh `node` process, the three variants
 *    interleaved for `COLD_ROUNDS` rounds; medians. Bundle bytes are reported. Target: latchkey's
 *    init ≤ Powertools'. Also reported: the CPU time (user + system, `process.cpuUsage()`, V8's
 *    background compile and GC threads included) the child spent on the same import + first
 *    secret, which other processes on a shared machine move far less than wall time.
 * 2. Warm invocation overhead = time of one warm invocation minus that of the same handler doing
 *    nothing with secrets, in this process, rounds alternated; medians. Target: latchkey ≤ 0.5×
 *    Powertools' cached `getSecret` (`maxAge` long enough that every call is a cache hit).
 *
 * Run: `pnpm bench lambda` (after `pnpm build`).
 */
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { AwsSecretsManagerSource } from '@latchkey/aws'
import { withSecrets } from '@latchkey/lambda'
import { startSecretsManagerEmulator } from '@latchkey/testing'
import middy from '@middy/core'
import middySecretsManager from '@middy/secrets-manager'
import { build } from 'esbuild'
import { alternate, fmt, median, nsPerAsyncOp, type Row } from './measure.js'

const SECRET = 'bench/lambda-api-key'
/** The optional peers of `@latchkey/aws` a Secrets Manager handler never loads. */
const UNUSED_OPTIONAL_PEERS = ['@aws-sdk/client-ssm', '@aws-sdk/client-sqs', '@aws-sdk/rds-signer']
const COLD_ROUNDS = 21
const WARM_BATCH = 20_000
const WARM_ROUNDS = 15

/** The three handlers, as a user would write them. Each reads one secret and returns its length. */
const HANDLERS: Record<string, string> = {
  latchkey: `
import { withSecrets } from '@latchkey/lambda'
import { AwsSecretsManagerSource } from '@latchkey/aws'
export const handler = withSecrets(async (_event, context) => context.secrets.apiKey.reveal().length, {
  source: new AwsSecretsManagerSource(),
  secrets: { apiKey: '${SECRET}' },
})
`,
  /** The same handler bundled with every dependency, the unused optional peers included (see `bundle`). */
  'latchkey (optional peers bundled)': `
import { withSecrets } from '@latchkey/lambda'
import { AwsSecretsManagerSource } from '@latchkey/aws'
export const handler = withSecrets(async (_event, context) => context.secrets.apiKey.reveal().length, {
  source: new AwsSecretsManagerSource(),
  secrets: { apiKey: '${SECRET}' },
})
`,
  powertools: `
import { getSecret } from '@aws-lambda-powertools/parameters/secrets'
export const handler = async () => (await getSecret('${SECRET}')).length
`,
  /** The floor: the AWS SDK client alone, no cache, no library around it. */
  'AWS SDK alone': `
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
const client = new SecretsManagerClient({})
export const handler = async () =>
  (await client.send(new GetSecretValueCommand({ SecretId: '${SECRET}' }))).SecretString.length
`,
  middy: `
import middy from '@middy/core'
import secretsManager from '@middy/secrets-manager'
export const handler = middy()
  .use(secretsManager({ fetchData: { apiKey: '${SECRET}' }, setToContext: true }))
  .handler(async (_event, context) => context.apiKey.length)
`,
}

/** What a child process prints after importing the bundle and invoking it once. */
const CHILD = `
const c0 = process.cpuUsage()
// process.hrtime, not performance.now(): the first read of \`performance\` loads perf_hooks (~0.5 ms),
// which would then be paid here instead of by the handler that reads it
const now = () => Number(process.hrtime.bigint()) / 1e6
const t0 = now()
const { handler } = await import(process.argv[1])
const t1 = now()
const context = { getRemainingTimeInMillis: () => 3000, awsRequestId: 'cold' }
let length
try {
  length = await handler({}, context)
} catch (error) {
  const inner = (error.errors ?? [error]).map((e) => [e.code, e.cause?.name, e.cause?.message])
  console.error(JSON.stringify({ code: error.code, inner }))
  process.exit(1)
}
const t2 = now()
const cpu = process.cpuUsage(c0)
if (typeof length !== 'number' || length < 1) throw new Error('no secret read')
process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstMs: t2 - t1, cpuMs: (cpu.user + cpu.system) / 1000 }))
`

interface Cold {
  importMs: number
  firstMs: number
  /** CPU time (user + system) of the child for import + first secret. */
  cpuMs: number
}

/**
 * esbuild, as users deploy. `@latchkey/aws` loads its optional peers with a dynamic `import()`, each
 * only for the feature that needs it: `@aws-sdk/client-ssm` (`AwsParameterStoreSource`),
 * `@aws-sdk/client-sqs` (`watchRotations`) and `@aws-sdk/rds-signer` (`RdsIamAuthSource`). The
 * `latchkey` variant marks them external, as a function that does not use them may; the
 * `latchkey (optional peers bundled)` variant does not, and shows what esbuild keeps of them when
 * they are bundled (nothing, since the ESM builds let it drop the unused classes with their imports).
 */
async function bundle(dir: string, name: string): Promise<{ file: string; bytes: number; ownBytes: number }> {
  const slug = name.replace(/[^a-z]+/g, '-')
  const entry = join(dir, `${slug}.entry.mjs`)
  const file = join(dir, `${slug}.bundle.mjs`)
  writeFileSync(entry, HANDLERS[name] as string)
  const { metafile } = await build({
    metafile: true,
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // CommonJS dependencies inside an ESM bundle call require(); give them one, as esbuild's docs suggest
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
    external: name === 'latchkey' ? UNUSED_OPTIONAL_PEERS : [],
  })
  // latchkey's own code in the bundle: the bytes from the workspace's packages/*/dist
  const inputs = Object.values(metafile.outputs)[0]?.inputs ?? {}
  const ownBytes = Object.entries(inputs)
    .filter(([path]) => /(^|\/)packages\/[^/]+\/dist\//.test(path))
    .reduce((sum, [, { bytesInOutput }]) => sum + bytesInOutput, 0)
  return { file, bytes: statSync(file).size, ownBytes }
}

/** Runs one cold start in a child process (asynchronously: the emulator in this process must keep answering). */
async function coldRun(file: string, env: NodeJS.ProcessEnv): Promise<Cold> {
  try {
    return JSON.parse(await coldOutput(file, env)) as Cold
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? error)
    const lines = stderr.split('\n').filter((line) => line.length < 400)
    throw new Error(`cold start of ${file} failed: ${lines.slice(-12).join('\n')}`)
  }
}

async function coldOutput(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', CHILD, pathToFileURL(file).href],
    { env, encoding: 'utf8', timeout: 60_000 },
  )
  return stdout
}

export async function runLambdaBench(): Promise<{ rows: Row[] }> {
  const emulator = await startSecretsManagerEmulator({ secrets: { [SECRET]: `k-${'x'.repeat(40)}` } })
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    AWS_REGION: emulator.region,
    AWS_ACCESS_KEY_ID: emulator.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: emulator.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator.endpoint,
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
  }
  const dir = join(import.meta.dirname, '.tmp', 'lambda')
  mkdirSync(dir, { recursive: true })
  const rows: Row[] = []
  try {
    const names = Object.keys(HANDLERS)
    const bundles = new Map(await Promise.all(names.map(async (n) => [n, await bundle(dir, n)] as const)))
    const bundleOf = (name: string) => bundles.get(name) as { file: string; bytes: number; ownBytes: number }
    const cold: Record<string, Cold[]> = Object.fromEntries(names.map((n) => [n, []]))
    for (let round = 0; round < COLD_ROUNDS; round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        cold[name]?.push(await coldRun(bundleOf(name).file, env))
      }
    }
    const init = (name: string) => median((cold[name] ?? []).map((c) => c.importMs + c.firstMs))
    const part = (name: string, key: keyof Cold) => median((cold[name] ?? []).map((c) => c[key]))
    for (const name of names) {
      rows.push({
        name: `cold start, ${name}: import ${fmt(part(name, 'importMs'), 1)} ms + first secret ${fmt(part(name, 'firstMs'), 1)} ms (CPU ${fmt(part(name, 'cpuMs'), 1)} ms); bundle ${(bundleOf(name).bytes / 1024).toFixed(0)} KiB${bundleOf(name).ownBytes > 0 ? ` (latchkey's own ${(bundleOf(name).ownBytes / 1000).toFixed(0)} KB)` : ''}`,
        value: `${fmt(init(name), 1)} ms`,
        target: 'reported',
        pass: true,
      })
    }
    const coldRatio = init('latchkey') / init('powertools')
    rows.push({
      name: 'cold start (import + first secret), latchkey / Powertools getSecret',
      value: `${fmt(coldRatio)}×`,
      target: '≤ 1.00×',
      pass: coldRatio <= 1,
    })
    rows.push({
      name: 'cold start CPU time (import + first secret), latchkey / Powertools getSecret',
      value: `${fmt(part('latchkey', 'cpuMs') / part('powertools', 'cpuMs'))}×`,
      target: 'reported',
      pass: true,
    })
    const over = part('AWS SDK alone', 'cpuMs')
    const sdk = (name: string) => {
      const ms = part(name, 'cpuMs') - over
      return `${ms < 0 ? '' : '+'}${fmt(ms, 1)}`
    }
    rows.push({
      name: `cold start CPU time over the AWS SDK alone: latchkey ${sdk('latchkey')} ms, Powertools ${sdk('powertools')} ms, middy ${sdk('middy')} ms`,
      value: `${fmt(over, 1)} ms`,
      target: 'reported',
      pass: true,
    })
    rows.push({
      name: 'cold start, latchkey / @middy/secrets-manager',
      value: `${fmt(init('latchkey') / init('middy'))}×`,
      target: 'reported',
      pass: true,
    })
    rows.push(...(await warmRows(emulator)))
  } finally {
    if (process.env.LATCHKEY_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true })
    await emulator.close()
  }
  return { rows }
}

async function warmRows(emulator: Awaited<ReturnType<typeof startSecretsManagerEmulator>>): Promise<Row[]> {
  const context = { getRemainingTimeInMillis: () => 3_000, awsRequestId: 'warm' }
  const source = new AwsSecretsManagerSource({
    endpoint: emulator.endpoint,
    region: emulator.region,
    credentials: emulator.credentials,
  })
  const latchkey = withSecrets(async (_e: unknown, ctx) => ctx.secrets.apiKey.reveal().length, {
    source,
    secrets: { apiKey: SECRET },
  })
  const bare = async (_e: unknown, _ctx: unknown) => 44
  const { SecretsProvider } = await import('@aws-lambda-powertools/parameters/secrets')
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager')
  const awsSdk = new SecretsManagerClient(emulator.clientConfig)
  const ptProvider = new SecretsProvider({ awsSdkV3Client: awsSdk })
  const powertools = async () => ((await ptProvider.get(SECRET, { maxAge: 3_600 })) as string).length
  const middyHandler = middy()
    .use(
      middySecretsManager({
        fetchData: { apiKey: SECRET },
        setToContext: true,
        awsClientOptions: emulator.clientConfig,
      }),
    )
    .handler(async (_e: unknown, ctx: { apiKey?: string }) => (ctx.apiKey as string).length)
  // warm every cache first
  await latchkey({}, context)
  await powertools()
  await middyHandler({}, context as never)
  const time = (fn: () => Promise<unknown>) => () => nsPerAsyncOp(fn, WARM_BATCH)
  const [base1, lk] = await alternate(
    time(() => bare({}, context)),
    time(() => latchkey({}, context)),
    WARM_ROUNDS,
  )
  const [base2, pt] = await alternate(
    time(() => bare({}, context)),
    time(powertools),
    WARM_ROUNDS,
  )
  const [base3, md] = await alternate(
    time(() => bare({}, context)),
    time(() => middyHandler({}, context as never)),
    WARM_ROUNDS,
  )
  const base = median([base1, base2, base3])
  const over = (t: number) => Math.max(0, t - base)
  const ratio = over(lk) / over(pt)
  await latchkey.provider.close()
  awsSdk.destroy()
  return [
    {
      name: `warm invocation overhead: latchkey ${fmt(over(lk), 0)} ns, Powertools cached getSecret ${fmt(over(pt), 0)} ns, middy ${fmt(over(md), 0)} ns (bare handler ${fmt(base, 0)} ns)`,
      value: `${fmt(ratio)}×`,
      target: '≤ 0.50× Powertools',
      pass: ratio <= 0.5,
    },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { printRows } = await import('./measure.js')
  printRows('lambda', (await runLambdaBench()).rows)
}
