import Fastify from 'fastify'
import { redactSecrets } from '@latchkey/pino'
const lines = []
const full = redactSecrets({ level: 'info' })
const app = Fastify({ logger: { level: 'info', stream: { write: (l) => lines.push(l) } } })
app.get('/*', async () => 'ok'); await app.ready()
await app.inject({ method: 'GET', url: `/${'token'.repeat(3_000)}` })
console.log(lines.map((l) => l.length + ' ' + l.slice(0, 150)))
const sw = full.hooks.streamWrite
for (const l of lines) {
  const copies = Array.from({ length: 200 }, () => l.slice(0, 40) + l.slice(40))
  for (const c of copies) c.charCodeAt(3)
  let best = Infinity
  for (let r = 0; r < 20; r++) { const s = process.hrtime.bigint(); for (const c of copies) sw(c); best = Math.min(best, Number(process.hrtime.bigint() - s) / 200) }
  console.log(l.length, 'streamWrite ns', best.toFixed(0), sw(l) === l ? 'unchanged' : 'changed')
  best = Infinity
  for (let r = 0; r < 20; r++) { const s = process.hrtime.bigint(); for (const c of copies) JSON.stringify(c); best = Math.min(best, Number(process.hrtime.bigint() - s) / 200) }
  console.log(l.length, 'JSON.stringify(line) ns', best.toFixed(0))
}
