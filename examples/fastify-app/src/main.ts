import { buildApp } from './app.js'
import { createSource, readArgs } from './source.js'

const args = readArgs(process.argv.slice(2))
const app = await buildApp({ source: createSource(args), logger: true })
await app.listen({ port: args.port, host: '127.0.0.1' })

const shutdown = async (): Promise<void> => {
  await app.close()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
