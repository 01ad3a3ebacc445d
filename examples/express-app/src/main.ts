import type { AddressInfo } from 'node:net'
import { openSource, readArgs } from '@latchkey/example-shared'
import { buildApp } from './app.js'

const args = readArgs(process.argv.slice(2))
const opened = await openSource(args)
const { app, middleware } = buildApp({ source: opened.source })
await middleware.ready()

const server = app.listen(args.port, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  console.log(`Server listening at http://127.0.0.1:${port}`)
})

const shutdown = (): void => {
  server.close(async () => {
    await middleware.close()
    await opened.stop()
  })
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
