import Fastify from 'fastify'
import pino from 'pino'
import { redactSecrets } from '@latchkey/pino'
const stream = pino.destination({ dest: '/dev/null', sync: true })
const mode = process.argv[2] ?? 'scrubbed'
const app = mode === 'plain' ? Fastify({ logger: { level: 'info', stream } }) : Fastify({ logger: { ...redactSecrets({ level: 'info' }), stream } })
app.get('/*', async () => 'ok')
await app.ready()
const url = `/${'token'.repeat(3_000)}`
const t = Date.now()
let n = 0
while (Date.now() - t < 5000) { await app.inject({ method: 'GET', url }); n++ }
console.log(mode, (5000 / n).toFixed(3), 'ms per request')
