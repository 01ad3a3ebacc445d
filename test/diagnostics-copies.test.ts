/**
 * One set of diagnostics channels per process, whichever copy of @latchkey/core publishes: an ESM
 * and a CommonJS copy (built dist/) loaded side by side in a fresh `node`, and one
 * `instrumentSecrets()` (itself loaded as CommonJS) counting the loads of both.
 */
import { execFileSync } from 'node:child_process'
import { assertNoCanary, canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'

describe('diagnostics channels across copies of core', () => {
  it('a subscriber and @latchkey/opentelemetry see the loads of the ESM and the CommonJS copy', () => {
    const values = [canary('cjs'), canary('esm')]
    const script = [
      "import { createRequire } from 'node:module'",
      "import { subscribe } from 'node:diagnostics_channel'",
      'const require = createRequire(import.meta.url)',
      "const esm = await import('@latchkey/core')",
      "const cjs = require('@latchkey/core')",
      "const { instrumentSecrets } = require('@latchkey/opentelemetry')",
      'const seen = []',
      'subscribe(esm.DIAGNOSTICS_CHANNELS.loadEnd, (m) => seen.push(m.name + "@" + m.version))',
      'const added = []',
      'const counter = { add: (n, attributes) => added.push(attributes), record: () => {} }',
      'const meterProvider = { getMeter: () => ({ createCounter: () => counter, createHistogram: () => counter,',
      '  createObservableCounter: () => ({}), createObservableGauge: () => ({}),',
      '  addBatchObservableCallback: () => {}, removeBatchObservableCallback: () => {} }) }',
      'const instrumentation = instrumentSecrets({ meterProvider, traces: false })',
      'const [a, b] = JSON.parse(process.env.VALUES)',
      'const p1 = new cjs.CachedSecretProvider(new cjs.MemorySource({ a }))',
      'const p2 = new esm.CachedSecretProvider(new esm.MemorySource({ b }))',
      "await p1.getSecret('a')",
      "await p2.getSecret('b')",
      'instrumentation.close()',
      'console.log(JSON.stringify({ seen, added }))',
      'await p1.close()',
      'await p2.close()',
    ].join('\n')
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: import.meta.dirname,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, VALUES: JSON.stringify(values) },
    })
    assertNoCanary(out, 'the diagnostics seen across copies')
    expect(JSON.parse(out)).toEqual({
      seen: ['a@v1', 'b@v1'],
      added: [
        { 'latchkey.secret.name': 'a', 'latchkey.source': 'memory', 'latchkey.load.outcome': 'success' },
        { 'latchkey.secret.name': 'b', 'latchkey.source': 'memory', 'latchkey.load.outcome': 'success' },
      ],
    })
  })
})
