// express: the README app on PORT, asked GET /orders once, then stopped with SIGTERM.
import { serveOrdersExample } from './lib.mjs'

await serveOrdersExample()
