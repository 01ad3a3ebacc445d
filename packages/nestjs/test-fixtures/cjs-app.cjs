'use strict'
// A CommonJS Nest 11 app on the built @latchkey/nestjs (dist/index.cjs): plain JavaScript, so the
// decorators are applied as the function calls TypeScript would emit. It serves one request that
// uses an @Secret-injected handle, prints a status line (a fingerprint, never the value), and
// stops through the shutdown hooks.
require('reflect-metadata')
const { createHash } = require('node:crypto')
const { Controller, Get, Inject, Injectable, Module } = require('@nestjs/common')
const { NestFactory } = require('@nestjs/core')
const { CachedSecretProvider, EnvSource } = require('@latchkey/core')
const { Secret, SecretsModule } = require('@latchkey/nestjs')

class PasswordService {
  constructor(password) {
    this.password = password
  }

  fingerprint() {
    return createHash('sha256').update(this.password.reveal()).digest('hex')
  }
}
Injectable()(PasswordService)
Secret('db/password')(PasswordService, undefined, 0)

class PasswordController {
  constructor(service) {
    this.service = service
  }

  read() {
    return { sha256: this.service.fingerprint(), version: this.service.password.version }
  }
}
Controller('password')(PasswordController)
Inject(PasswordService)(PasswordController, undefined, 0)
Get()(
  PasswordController.prototype,
  'read',
  Object.getOwnPropertyDescriptor(PasswordController.prototype, 'read'),
)

class AppModule {}
Module({
  imports: [SecretsModule.forRoot({ source: new EnvSource({ prefix: 'CJS_FIXTURE_' }), isGlobal: true })],
  providers: [PasswordService],
  controllers: [PasswordController],
})(AppModule)

async function main() {
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false })
  app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true })
  await app.listen(0, '127.0.0.1')
  const response = await fetch(`${await app.getUrl()}/password`)
  const body = await response.json()
  const provider = app.get(CachedSecretProvider)
  process.on('exit', () => {
    process.stdout.write(`shutdown provider-closed=${provider.closed}\n`)
  })
  const status = {
    status: response.status,
    sha256: body.sha256,
    nest: require('@nestjs/core/package.json').version,
    entry: require.resolve('@latchkey/nestjs'),
  }
  process.stdout.write(`cjs-app ${JSON.stringify(status)}\n`)
  process.kill(process.pid, 'SIGTERM')
}

main().catch((error) => {
  process.stderr.write(`cjs-app failed: ${error.code ?? error.name}: ${error.message}\n`)
  process.exit(1)
})
