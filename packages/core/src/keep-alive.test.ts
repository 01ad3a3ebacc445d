/**
 * Short-lived scripts (a CLI, a migration, a Lambda-style handler) whose only pending work is an
 * awaited getSecret must get their value even when the first attempt fails and a retry sleeps:
 * timers a caller awaits keep the process alive, background ones do not. Real child processes,
 * CommonJS and ESM (top-level await), on the built core (dist/).
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
let dir: string

function run(
  file: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
        resolve({ code, stdout, stderr })
      },
    )
  })
}

// A source that fails once with a transient error, then answers. The retry sleeps 300 ms first:
// nothing else keeps the event loop alive meanwhile.
const sourceCode = (load: string) => `
let calls = 0
const source = {
  name: 'flaky',
  async load() {
    calls++
    if (calls === 1) throw new SecretUnavailableError({ secretName: 'db/password', source: 'flaky' })
    return { value: process.env.SECRET_VALUE, version: 'v1' }
  },
}
const secrets = new CachedSecretProvider(source, {
  retry: { retries: 3, baseDelay: 300, maxDelay: 300 },
  random: () => 0.999,
  logger: { warn() {} },
})
${load}
`

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-keepalive-'))
  // the built package, as an app loads it (`npm test` builds first)
  const dist = join(root, 'packages', 'core', 'dist')
  if (!existsSync(join(dist, 'index.cjs'))) throw new Error('build @latchkey/core first (pnpm build)')
  writeFileSync(
    join(dir, 'core.cjs'),
    `module.exports = require(${JSON.stringify(join(dist, 'index.cjs'))})\n`,
  )
  writeFileSync(
    join(dir, 'core.mjs'),
    `export * from ${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)}\n`,
  )
  writeFileSync(
    join(dir, 'script.cjs'),
    `const { CachedSecretProvider, SecretUnavailableError } = require('./core.cjs')
${sourceCode(`secrets.getSecret('db/password').then(
  (value) => { process.stdout.write('value:' + value + ' calls:' + calls + '\\n') },
  (error) => { process.stdout.write('error:' + error.code + '\\n'); process.exitCode = 3 },
)`)}`,
  )
  writeFileSync(
    join(dir, 'script.mjs'),
    `import { CachedSecretProvider, SecretUnavailableError } from './core.mjs'
${sourceCode(`const value = await secrets.getSecret('db/password')
process.stdout.write('value:' + value + ' calls:' + calls + '\\n')`)}`,
  )
  // a caller that joins a background reload sleeping between retries keeps the process alive
  writeFileSync(
    join(dir, 'join.mjs'),
    `import { CachedSecretProvider, SecretUnavailableError } from './core.mjs'
let calls = 0
const source = {
  name: 'flaky',
  async load() {
    calls++
    if (calls === 2) throw new SecretUnavailableError({ secretName: 'x', source: 'flaky' })
    return { value: process.env.SECRET_VALUE, version: String(calls) }
  },
}
const secrets = new CachedSecretProvider(source, {
  ttl: 5_000,
  refreshAhead: 0.1,
  jitter: 0,
  retry: { retries: 3, baseDelay: 2_000, maxDelay: 2_000 },
  random: () => 0.999,
  logger: { warn() {} },
})
await secrets.getSecret('x')
await new Promise((resolve) => setTimeout(resolve, 600))
await secrets.getSecret('x') // past 10 % of the TTL: the background reload starts, fails, and sleeps ~2 s (unref'd)
await new Promise((resolve) => setTimeout(resolve, 50))
await secrets.refresh('x') // joins that reload
process.stdout.write('refreshed calls:' + calls + '\\n')`,
  )
  // a background refresh-ahead timer must not keep a script alive: the script ends at once
  writeFileSync(
    join(dir, 'background.mjs'),
    `import { CachedSecretProvider, MemorySource } from './core.mjs'
const secrets = new CachedSecretProvider(new MemorySource({ a: process.env.SECRET_VALUE }), { ttl: 600_000, logger: { warn() {} } })
secrets.handle('a')
await secrets.preload(['a'])
process.stdout.write('preloaded\\n')`,
  )
}, 60_000)

afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('a short script awaiting a getSecret that is retried', () => {
  it.each([
    ['CommonJS', 'script.cjs', 'cjs'],
    ['ESM with top-level await', 'script.mjs', 'esm'],
  ])('%s: prints the value and exits 0', async (_format, script, label) => {
    const value = canary(label)
    const { code, stdout, stderr } = await run(join(dir, script), { SECRET_VALUE: value })
    assertNoCanary(stderr, 'child stderr')
    expect(stdout === `value:${value} calls:2\n`).toBe(true)
    expect(code).toBe(0)
  })

  it('a caller joining a background reload that sleeps between retries keeps the process alive', async () => {
    const { code, stdout } = await run(join(dir, 'join.mjs'), { SECRET_VALUE: canary('join') })
    expect(stdout).toBe('refreshed calls:3\n')
    expect(code).toBe(0)
  })

  it('background timers (a pinned entry refreshing ahead) do not hold the process open', async () => {
    const { code, stdout } = await run(join(dir, 'background.mjs'), { SECRET_VALUE: canary('bg') })
    expect(stdout).toBe('preloaded\n')
    expect(code).toBe(0)
  })
})
