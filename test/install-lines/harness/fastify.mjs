// fastify: the README app on PORT, asked GET /orders once, then stopped with SIGTERM.
import { check, serveOrdersExample } from './lib.mjs'

const answer = await serveOrdersExample()
check(answer.out.includes('"msg":"Server listening at'), 'the logger printed its listening line')
