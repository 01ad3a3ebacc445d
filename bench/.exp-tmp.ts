import { randomBytes } from 'node:crypto'
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { redactSecrets } from '@latchkey/pino'
import pino from 'pino'
const values = Array.from({ length: 1000 }, () => randomBytes(32).toString('base64').slice(0, 16 + Math.floor(Math.random() * 17)))
const source = new MemorySource(Object.fromEntries(values.map((v, i) => [`s${i}`, v])))
const provider = new CachedSecretProvider(source)
for (let i = 0; i < 1000; i += 10) await provider.preload(values.slice(i, i + 10).map((_, j) => `s${i + j}`))
const dest = pino.destination({ dest: '/dev/null', sync: true })
const cases = { plainA: pino({}, dest), latchkey: pino(redactSecrets(provider), dest), plainB: pino({}, dest), scrubOnly: pino(redactSecrets(provider, {}, { keys: [] }), dest) }
const PAYLOAD = { reqId: 'req-7f3a9c', userId: 4217, route: '/api/orders', durationMs: 12.7, user: { id: 4217, email: 'ada@example.com', password: 'hunter2hunter2' }, items: [{ sku: 'A-100', qty: 2 }, { sku: 'B-200', qty: 1 }] }
const B = 5000
const res: Record<string, number[]> = {}
for (let r = 0; r < 40; r++) for (const [n, l] of Object.entries(cases)) { const t = process.hrtime.bigint(); for (let i = 0; i < B; i++) l.info(PAYLOAD, 'order created'); (res[n] ??= []).push(Number(process.hrtime.bigint() - t) / B) }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!
for (const [n, v] of Object.entries(res)) console.log(n, med(v.slice(5)).toFixed(0), 'min', Math.min(...v).toFixed(0), 'ratio', med(v.slice(5).map((x, i) => x / res.plainA![i + 5]!)).toFixed(3))
