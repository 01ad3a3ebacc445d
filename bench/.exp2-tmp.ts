import { createKeyCensor } from '@latchkey/pino'
import pino from 'pino'
const PAYLOAD = { reqId: 'req-7f3a9c', userId: 4217, route: '/api/orders', durationMs: 12.7, user: { id: 4217, email: 'ada@example.com', password: 'hunter2hunter2' }, items: [{ sku: 'A-100', qty: 2 }, { sku: 'B-200', qty: 1 }] }
const c = createKeyCensor()
let sink: unknown
for (const name of ['censor', 'censor']) {
  const N = 2_000_000; const t = process.hrtime.bigint()
  for (let i = 0; i < N; i++) sink = c(PAYLOAD)
  console.log(name, (Number(process.hrtime.bigint() - t) / N).toFixed(0), 'ns')
}
const dest = pino.destination({ dest: '/dev/null', sync: true })
const cases = { plain: pino({}, dest), identityLog: pino({ formatters: { log: (o: any) => o } }, dest), censor: pino({ formatters: { log: c } }, dest), precensored: pino({}, dest) }
const pre = c(PAYLOAD)
const res: Record<string, number[]> = {}
for (let r = 0; r < 30; r++) for (const [n, l] of Object.entries(cases)) { const p = n === 'precensored' ? pre : PAYLOAD; const t = process.hrtime.bigint(); for (let i = 0; i < 5000; i++) l.info(p, 'order created'); (res[n] ??= []).push(Number(process.hrtime.bigint() - t) / 5000) }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!
for (const [n, v] of Object.entries(res)) console.log(n, med(v.slice(5)).toFixed(0))
