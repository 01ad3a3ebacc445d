/**
 * Listener errors never change what the cache does (issue 21): an `async` listener that rejects
 * (`on('rotate', …)`, `on('refresh', …)`, `handle.onChange(…)`) and a listener that throws a Proxy
 * or a revoked Proxy, in a fresh `node` with no `unhandledRejection` handler, built dist/.
 */
import { fileURLToPath } from 'node:url'
import { canary, runNode } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'

const cwd = fileURLToPath(new URL('.', import.meta.url))

const script = [
  "import { CachedSecretProvider, MemorySource } from '@latchkey/core'",
  'const value = process.env.VALUE',
  'const warnings = []',
  'const logger = { warn: (message, meta) => warnings.push({ message, meta }) }',
  'const source = new MemorySource({ db: value + "-1" })',
  'const secrets = new CachedSecretProvider(source, { logger, minRefreshInterval: 0 })',
  'const calls = []',
  "secrets.on('rotate', async () => { calls.push('rotate-async'); throw new Error(value) })",
  "secrets.on('rotate', () => { calls.push('rotate-proxy'); throw new Proxy({}, { getPrototypeOf() { throw new Error(value) }, get() { throw new Error(value) } }) })",
  "secrets.on('rotate', () => { calls.push('rotate-revoked'); const r = Proxy.revocable({}, {}); r.revoke(); throw r.proxy })",
  "secrets.on('rotate', () => { calls.push('rotate-after') })",
  "secrets.on('refresh', () => Promise.reject(new TypeError(value)))",
  "secrets.on('refresh', () => ({ then() { throw new RangeError(value) } }))",
  "const handle = secrets.handle('db')",
  "await secrets.getSecret('db')",
  "handle.onChange(async () => { calls.push('change-async'); throw new SyntaxError(value) })",
  "handle.onChange(() => { calls.push('change-revoked'); const r = Proxy.revocable(function () {}, {}); r.revoke(); throw r.proxy })",
  "handle.onChange(() => { calls.push('change-after') })",
  'let refreshed = "no"',
  "try { await secrets.refresh('db'); source.set('db', value + '-2'); await secrets.refresh('db'); refreshed = 'yes' } catch { refreshed = 'rejected' }",
  'await new Promise((resolve) => setTimeout(resolve, 50))',
  "console.log(JSON.stringify({ refreshed, calls, warnings, revealed: handle.reveal() === value + '-2' }))",
  'await secrets.close()',
].join('\n')

describe('listeners that reject or throw hostile values', () => {
  it('keeps the process alive, refresh() resolving, every listener called and each error reported by class name only', async () => {
    const value = canary('listener')
    const run = await runNode(['--input-type=module', '-e', script], { cwd, env: { VALUE: value } })
    expect(run.stderr).not.toContain(value)
    expect(run.stderr).not.toMatch(/Unhandled|unhandled/)
    expect(run.code).toBe(0)
    const out = JSON.parse(run.stdout) as {
      refreshed: string
      calls: string[]
      warnings: { message: string; meta: { error: string } }[]
      revealed: boolean
    }
    expect(run.stdout).not.toContain(value)
    expect(out.refreshed).toBe('yes')
    expect(out.revealed).toBe(true)
    // handles are updated (and their listeners told) before the provider's 'rotate' listeners
    expect(out.calls).toEqual([
      'change-async',
      'change-revoked',
      'change-after',
      'rotate-async',
      'rotate-proxy',
      'rotate-revoked',
      'rotate-after',
    ])
    const reported = out.warnings.map((w) => w.meta.error).sort()
    expect(reported).toEqual(
      ['Error', 'RangeError', 'SyntaxError', 'TypeError', 'unknown', 'unknown', 'unknown'].sort(),
    )
  })
})
