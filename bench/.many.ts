import pino from 'pino'
import { randomBytes } from 'node:crypto'
import { SecretRedactor } from '@latchkey/core'
import { createLineScrubber, editJsonLine } from '@latchkey/core/internal'
import { createLineKeyRules } from '../packages/pino/src/line-key-censor.ts'
import { DEFAULT_REDACT_KEYS } from '../packages/pino/src/key-censor.ts'
const r = new SecretRedactor()
const registered = Array.from({ length: 1000 }, () => randomBytes(32).toString('base64').slice(0, 16 + Math.floor(Math.random() * 17)))
for (const v of registered) r.add(v, 'b')
const size = Number(process.argv[2] ?? 100_000)
const unit = `${registered.join(' ')} `
let line = ''
pino({}, { write: (s: string) => (line = s) }).info({ msg2: unit.repeat(Math.ceil(size / unit.length)).slice(0, size) }, 'adversarial')
const rules = createLineKeyRules(DEFAULT_REDACT_KEYS, '[REDACTED]')
const scrub = createLineScrubber({ redactors: [r], keys: rules })
const scan = (r as any)[Symbol.for('@latchkey/core.redactor.lineScan.v1')]()
const values = scan.findValues(line).values
console.log('matches', values.length)
const lines = Array.from({ length: 5 }, () => line.slice(0, 40) + line.slice(40))
for (const l of lines) l.charCodeAt(5)
function bench(fn: (l: string) => unknown) { const t = process.hrtime.bigint(); for (let rr = 0; rr < 4; rr++) for (const l of lines) fn(l); return Number(process.hrtime.bigint() - t) / 20 / 1e6 }
const cases: Record<string, (l: string) => unknown> = {
  stringify: () => JSON.stringify({ msg2: line }),
  findValues: (l) => scan.findValues(l),
  edit: (l) => editJsonLine(l, [], values, rules, '[REDACTED]'),
  scrub: (l) => scrub(l),
}
const res: Record<string, number[]> = {}
for (const k in cases) { res[k] = []; bench(cases[k]!) }
for (let round = 0; round < 9; round++) for (const k in cases) res[k]!.push(bench(cases[k]!))
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!
for (const k in cases) console.log(k, med(res[k]!).toFixed(3), 'ms')
import { WordFinder } from '../packages/core/src/redactor-words.ts'
const wf = new WordFinder(rules.watch)
const r3: number[] = []
for (let round = 0; round < 9; round++) r3.push(bench((l) => wf.find(l)))
console.log('finder', med(r3).toFixed(3), 'finds', wf.find(line).length / 2)
const r4: number[] = []
for (let round = 0; round < 9; round++) r4.push(bench((l) => scrub(l)))
console.log('scrub again', med(r4).toFixed(3))
