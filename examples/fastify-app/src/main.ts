import { openSource, readArgs } from '@latchkey/example-shared'
import { buildApp } from './app.js'

const args = readArgs(process.argv.slice(2))
const opened = await openSource(args)
const app = await buildApp({ source: opened.source, logger: { level: 'info' } })
await app.listen({ port: args.port, host: '127.0.0.1' })

const shutdown = async (): Promise<void> => {
  await app.close()
  await opened.stop()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
