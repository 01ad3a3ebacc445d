const PAYLOAD = { reqId: 'req-7f3a9c', userId: 4217, route: '/api/orders', durationMs: 12.7, user: { id: 4217, email: 'ada@example.com', password: 'hunter2hunter2' }, items: [{ sku: 'A-100', qty: 2 }, { sku: 'B-200', qty: 1 }] }
const keysList = ['password','passwd','pwd','token','accessToken','access_token','refreshToken','refresh_token','authorization','cookie','apiKey','api_key','secret','clientSecret','client_secret','privateKey','private_key']
const all = keysList.flatMap(k => [k, k.toLowerCase(), k.toUpperCase(), k[0]!.toUpperCase() + k.slice(1)])
const set = new Set(all)
const obj: Record<string, true> = Object.create(null); for (const k of all) obj[k] = true
const map = new Map(all.map(k => [k, true]))
let sink = 0
function bench(name: string, fn: () => void) { for (let i = 0; i < 200000; i++) fn(); const N = 3_000_000; const t = process.hrtime.bigint(); for (let i = 0; i < N; i++) fn(); console.log(name, (Number(process.hrtime.bigint() - t) / N).toFixed(1), 'ns') }
const ks = Object.keys(PAYLOAD)
bench('Object.keys', () => { sink += Object.keys(PAYLOAD).length })
bench('Object.keys user', () => { sink += Object.keys(PAYLOAD.user).length })
bench('set.has x6', () => { for (const k of ks) if (set.has(k)) sink++ })
bench('obj[] x6', () => { for (const k of ks) if (obj[k] === true) sink++ })
bench('map.has x6', () => { for (const k of ks) if (map.has(k)) sink++ })
bench('spread user', () => { const c = { ...PAYLOAD.user }; sink += c.id })
bench('spread payload', () => { const c = { ...PAYLOAD }; sink += c.userId })
bench('getPrototypeOf x6', () => { for (const k of ks) { const v = (PAYLOAD as any)[k]; if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) sink++ } })
bench('forin', () => { for (const k in PAYLOAD) if (Object.hasOwn(PAYLOAD, k)) sink++ })
bench('keys+values', () => { const k = Object.keys(PAYLOAD); const v = Object.values(PAYLOAD); for (let i = 0; i < k.length; i++) { const x = v[i]; if (typeof x === 'object' && x !== null && set.has(k[i]!) === false) sink++ } })
bench('entries', () => { for (const [k, x] of Object.entries(PAYLOAD)) { if (typeof x === 'object' && x !== null && set.has(k) === false) sink++ } })
bench('keyed reads x6', () => { for (const k of ks) { const v = (PAYLOAD as any)[k]; if (typeof v === 'object') sink++ } })
