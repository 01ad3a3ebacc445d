// express: the README app on PORT, asked GET /orders once, then stopped with SIGTERM.
import { check, freePort, seed, serveExample } from './lib.mjs'

const port = await freePort()
const answer = await serveExample(
  { PORT: String(port), DB_PASSWORD: seed.password, API_KEY: seed.key },
  port,
  '/orders',
)
check(answer.status === 200, `GET /orders answered 200 (${answer.status})`)
check(answer.body === '{"ok":true}', 'with {"ok":true}')
