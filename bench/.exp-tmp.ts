import { createKeyCensor as Cur } from '/tmp/exp/rp-current.ts'
import { createKeyCensor as Val } from '/tmp/exp/rp-values.ts'
import pino from 'pino'
const dest = pino.destination({ dest: '/dev/null', sync: true })
const PAYLOAD = { reqId: 'req-7f3a9c', userId: 4217, route: '/api/orders', durationMs: 12.7, user: { id: 4217, email: 'ada@example.com', password: 'hunter2hunter2' }, items: [{ sku: 'A-100', qty: 2 }, { sku: 'B-200', qty: 1 }] }
const cases: Record<string, any> = { plain: pino({}, dest), current: pino({ formatters: { log: Cur() } }, dest), values: pino({ formatters: { log: Val() } }, dest) }
const B = 5000
const res: Record<string, number[]> = {}
const names = Object.keys(cases)
for (let round = 0; round < 40; round++) for (let k = 0; k < names.length; k++) { const n = names[(k + round) % names.length]!; const l = cases[n]; const t = process.hrtime.bigint(); for (let i = 0; i < B; i++) l.info(PAYLOAD, 'order created'); (res[n] ??= []).push(Number(process.hrtime.bigint() - t) / B) }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!
for (const [n, v] of Object.entries(res)) console.log(n.padEnd(14), med(v.slice(5)).toFixed(0), 'ratio', med(v.slice(5).map((x, i) => x / res.plain![i + 5]!)).toFixed(3))
