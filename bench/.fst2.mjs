import Fastify from 'fastify'
import pino from 'pino'
import { redactSecrets } from '@latchkey/pino'
const stream = pino.destination({ dest: '/dev/null', sync: true })
const full = redactSecrets({ level: 'info' })
const apps = {
  plain: Fastify({ logger: { level: 'info', stream } }),
  scrubbed: Fastify({ logger: { ...full, stream } }),
  serializersOnly: Fastify({ logger: { level: 'info', serializers: full.serializers, stream } }),
  streamWriteOnly: Fastify({ logger: { level: 'info', hooks: full.hooks, stream } }),
}
for (const app of Object.values(apps)) { app.get('/*', async () => 'ok'); await app.ready() }
const url = `/${'token'.repeat(3_000)}`
const time = async (app) => { const s = process.hrtime.bigint(); for (let i = 0; i < 50; i++) await app.inject({ method: 'GET', url }); return Number(process.hrtime.bigint() - s) / 1e6 / 50 }
const res = Object.fromEntries(Object.keys(apps).map((k) => [k, []]))
for (const k in apps) await time(apps[k])
const names = Object.keys(apps)
for (let round = 0; round < 15; round++) for (let i = 0; i < names.length; i++) { const k = names[(i + round) % names.length]; res[k].push(await time(apps[k])) }
const ratios = (k) => res[k].map((v, i) => v / res.plain[i]).sort((a, b) => a - b)
for (const k of names) { const r = ratios(k); console.log(k, 'median ratio', r[r.length >> 1].toFixed(2), 'ms', [...res[k]].sort((a,b)=>a-b)[7].toFixed(3)) }
