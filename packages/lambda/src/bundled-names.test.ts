/**
 * A handler bundled and minified with esbuild, the way Lambda functions are deployed, still names
 * its errors: `SecretPreloadError`, `SecretNotFoundError` (not the minified binding, such as `Vt`).
 * The ESM builds keep `keepNames` for this (see `scripts/package-build.ts`): without it, a minified
 * bundle's errors log as `Vt: secret "app/missing" was not found`. They write each class's name as a
 * `static get name()`, so the bundle still drops the classes the handler never uses.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertNoCanary, canary, ensureBuilt, runNode } from '@latchkey/test-support'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const packageDir = join(import.meta.dirname, '..')
const dir = mkdtempSync(join(tmpdir(), 'latchkey-lambda-bundle-'))
const key = canary('bundled-key')

/** Imports the bundle, invokes it once and prints what a log line would show of the failure. */
const CHILD = `
const { handler } = await import(process.argv[1])
try {
  await handler({}, { getRemainingTimeInMillis: () => 3000, awsRequestId: 'bundled' })
  console.log(JSON.stringify({ settled: 'resolved' }))
} catch (error) {
  console.log(JSON.stringify({
    name: error.name,
    constructor: error.constructor.name,
    code: error.code,
    stackHead: String(error.stack).split('\\n')[0],
    inner: (error.errors ?? []).map((e) => [e.name, e.constructor.name, e.code]),
  }))
}
`

let bundle = ''
let bundleFile = ''

beforeAll(async () => {
  ensureBuilt(['core', 'lambda'])
  const result = await build({
    stdin: {
      contents: `
import { MemorySource } from '@latchkey/core'
import { withSecrets } from './dist/index.js'
export const handler = withSecrets(async (_event, context) => context.secrets.apiKey.reveal().length, {
  source: new MemorySource({ 'app/key': ${JSON.stringify(key)} }),
  secrets: { apiKey: 'app/key', missing: 'app/missing' },
})
`,
      resolveDir: packageDir,
      sourcefile: 'handler.mjs',
    },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  })
  bundle = result.outputFiles[0]?.text ?? ''
  bundleFile = join(dir, 'handler.bundle.mjs')
  writeFileSync(bundleFile, bundle)
}, 180_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('a handler bundled and minified with esbuild', () => {
  it('is minified: the error classes are bound to renamed identifiers', () => {
    expect(bundle.length).toBeGreaterThan(0)
    expect(bundle).not.toMatch(/\bSecretNotFoundError\s*=/)
    expect(bundle).not.toMatch(/\bclass SecretPreloadError\b/)
  })

  it('keeps the classes the handler uses and drops the sources it does not use', () => {
    // a class in the bundle carries its name getter, minified as `static get name(){return"X"}`
    const kept = (name: string) => bundle.includes(`return"${name}"}`)
    expect(kept('MemorySource')).toBe(true)
    expect(kept('SecretNotFoundError')).toBe(true)
    for (const unused of ['EnvSource', 'FileSource', 'LambdaExtensionSource']) {
      expect(kept(unused), unused).toBe(false)
    }
  })

  it('fails its first invocation with errors that carry their own class names and codes', async () => {
    const { code, stdout, stderr } = await runNode(['--input-type=module', '-e', CHILD, bundleFile], {
      cwd: dir,
    })
    assertNoCanary(`${stdout}\n${stderr}`, 'the bundled handler output')
    expect(code).toBe(0)
    const printed = JSON.parse(stdout.trim().split('\n').at(-1) as string)
    expect(printed).toEqual({
      name: 'SecretPreloadError',
      constructor: 'SecretPreloadError',
      code: 'ERR_SECRET_PRELOAD',
      stackHead: expect.stringMatching(/^SecretPreloadError: /),
      inner: [['SecretNotFoundError', 'SecretNotFoundError', 'ERR_SECRET_NOT_FOUND']],
    })
  })
})
