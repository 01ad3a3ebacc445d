/**
 * The README's Prometheus alert rules are `test/alert-rules.yml`, which `test/alert-rules.test.yml`
 * checks with Prometheus's own rule tester (`promtool test rules test/alert-rules.test.yml`, run by
 * hand where Prometheus is installed). This keeps the README and that file the same, and checks
 * that the rules name only metrics and labels this package exports.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ATTRIBUTES, METRICS } from './index.js'

const root = join(import.meta.dirname, '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const rules = readFileSync(join(root, 'test', 'alert-rules.yml'), 'utf8')

/** Prometheus's name for an OpenTelemetry name: `.` becomes `_`. */
const prom = (name: string) => name.replaceAll('.', '_')

describe('the README alert rules', () => {
  it('are test/alert-rules.yml, word for word', () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(block).toBe(rules)
  })

  it('use only the exported metrics and attribute labels', () => {
    const counters = [
      METRICS.loads,
      METRICS.failures,
      METRICS.staleServes,
      METRICS.rotations,
      METRICS.evictions,
    ]
    const known = new Set([
      ...counters.map((name) => `${prom(name)}_total`),
      ...[METRICS.age, METRICS.staleFor, METRICS.servable].map(prom),
    ])
    const used = [...rules.matchAll(/\b(latchkey_[a-z_]+)\s*[{[]/g)].map((m) => m[1] as string)
    expect(used.length).toBeGreaterThan(0)
    for (const name of used) expect(known, `${name} is an exported metric`).toContain(name)
    const labels = new Set(Object.values(ATTRIBUTES).map(prom))
    for (const [, label] of rules.matchAll(/\b(latchkey_[a-z_]+|error_type)\s*(?:="|,|\))/g)) {
      expect(labels, `${label} is an exported attribute`).toContain(label)
    }
  })
})
