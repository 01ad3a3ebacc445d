// A plain-JavaScript ESM Nest 12 app on the *built* @latchkey/nestjs (dist/index.js), loaded the way
// an installed package is: through node_modules, not the workspace source. Run with
// `node --import ./scripts/single-nest.mjs` so the package's Nest imports reach this app's Nest 12.
// It serves one request with an @Secret-injected handle, prints a status line (a fingerprint,
// never the value), and closes.
import 'reflect-metadata'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import { CachedSecretProvider, EnvSource } from '@latchkey/core'
import { Secret, SecretsModule } from '@latchkey/nestjs'
import { Controller, Get, Module } from '@nestjs/common'
import { NestFactory } from '@nestjs/core'

class KeyController {
  constructor(apiKey) {
    this.apiKey = apiKey
  }

  read() {
    return { sha256: createHash('sha256').update(this.apiKey.reveal()).digest('hex') }
  }
}
Controller('key')(KeyController)
Secret('api/key')(KeyController, undefined, 0)
Get()(KeyController.prototype, 'read', Object.getOwnPropertyDescriptor(KeyController.prototype, 'read'))

class AppModule {}
Module({
  imports: [SecretsModule.forRoot({ source: new EnvSource({ prefix: 'DIST_FIXTURE_' }), isGlobal: true })],
  controllers: [KeyController],
})(AppModule)

const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false })
await app.listen(0, '127.0.0.1')
const response = await fetch(`${await app.getUrl()}/key`)
const body = await response.json()
const provider = app.get(CachedSecretProvider)
await app.close()
const require = createRequire(import.meta.url)
const status = {
  status: response.status,
  sha256: body.sha256,
  nest: require('@nestjs/core/package.json').version,
  entry: import.meta.resolve('@latchkey/nestjs'),
  providerClosed: provider.closed,
}
process.stdout.write(`dist-app ${JSON.stringify(status)}\n`)
