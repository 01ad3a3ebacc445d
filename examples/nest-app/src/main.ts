import 'reflect-metadata'
import { CachedSecretProvider } from '@latchkey/core'
import { Logger } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'
import { AppModule } from './app.module.js'
import { openSource, readArgs } from './source.js'

const args = readArgs(process.argv.slice(2))
const opened = await openSource(args)
const provider = new CachedSecretProvider(opened.source)
// A missing secret makes this log a SecretPreloadError (ERR_SECRET_PRELOAD) naming it, and exit with code 1.
const app = await NestFactory.create(AppModule.register({ provider }))
await app.listen(args.port, '127.0.0.1')
new Logger('nest-app').log(`listening on ${await app.getUrl()} (secrets from ${opened.source.name})`)

// app.close() runs the shutdown hooks: AppModule closes the provider.
const shutdown = async (): Promise<void> => {
  await app.close()
  await opened.stop()
}
process.once('SIGINT', shutdown)
process.once('SIGTERM', shutdown)
