/**
 * One redactor per process, whichever copy of @latchkey/core registers: an ESM and a CommonJS copy
 * (built dist/) loaded side by side in a fresh `node` share it.
 */
import { execFileSync } from 'node:child_process'
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'

describe('the shared redactor across copies of core', () => {
  it('scrubs a value a CommonJS provider loaded with the ESM copy, and the other way round', () => {
    const fromCjs = canary('cjs', ' !')
    const fromEsm = canary('esm', "'")
    const script = [
      "import { createRequire } from 'node:module'",
      "const esm = await import('@latchkey/core')",
      "const cjs = createRequire(import.meta.url)('@latchkey/core')",
      'const [a, b] = JSON.parse(process.env.VALUES)',
      'const p1 = new cjs.CachedSecretProvider(new cjs.MemorySource({ a }))',
      'const p2 = new esm.CachedSecretProvider(new esm.MemorySource({ b }))',
      "await p1.getSecret('a')",
      "await p2.getSecret('b')",
      "const line = a + ' ' + encodeURIComponent(b)",
      'console.log(JSON.stringify({',
      '  same: esm.sharedRedactor() === cjs.sharedRedactor(),',
      '  esmLine: esm.sharedRedactor().redact(line),',
      '  cjsLine: cjs.sharedRedactor().redact(line),',
      '}))',
      'await p1.close()',
      'await p2.close()',
    ].join('\n')
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, VALUES: JSON.stringify([fromCjs, fromEsm]) },
    })
    expect(JSON.parse(out)).toEqual({
      same: true,
      esmLine: '[REDACTED] [REDACTED]',
      cjsLine: '[REDACTED] [REDACTED]',
    })
  })
})
