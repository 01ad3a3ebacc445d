const line = 'x'.repeat(100_000)
const cuts = Array.from({ length: 4000 }, (_, i) => i * 25)
function rope(l) { let out = ''; let c = 0; for (const s of cuts) { out += l.slice(c, s) + '[REDACTED]'; c = s + 20 } out += l.slice(c); return Buffer.byteLength(out) }
function join(l) { const parts = []; let c = 0; for (const s of cuts) { parts.push(l.slice(c, s), '[REDACTED]'); c = s + 20 } parts.push(l.slice(c)); return Buffer.byteLength(parts.join('')) }
const cases = { rope, join }
const res = { rope: [], join: [] }
for (let r = 0; r < 30; r++) for (const k in cases) { const s = process.hrtime.bigint(); for (let i = 0; i < 20; i++) cases[k](line); res[k].push(Number(process.hrtime.bigint() - s) / 20 / 1e3) }
for (const k in res) console.log(k, res[k].sort((a, b) => a - b)[15].toFixed(1), 'µs')
