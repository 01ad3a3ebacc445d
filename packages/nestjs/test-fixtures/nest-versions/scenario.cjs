'use strict'
// CommonJS (Nest 11). Generated from the same body as scenario.mjs; keep the two in step.
require('reflect-metadata')
const { createHash } = require('node:crypto')
const { readFileSync } = require('node:fs')
const { dirname, join } = require('node:path')
const { Injectable, Module } = require('@nestjs/common')
const { ConfigModule } = require('@nestjs/config')
const { NestFactory } = require('@nestjs/core')
const { MemorySource } = require('@latchkey/core')
const { Secret, SecretsModule, secretsLoader } = require('@latchkey/nestjs')

const coreEntry = require.resolve('@nestjs/core')

// One scenario, run on each Nest release in ./nest-*: an @Secret handle is loaded before the class
// that injects it is created (names found through DiscoveryService), and a SecretsModule and a
// secretsLoader() that both miss secrets fail startup with one error naming all of them.
// Prints one line `scenario {...}` with a fingerprint of the value, never the value.

class PasswordService {
  constructor(password) {
    this.password = password
  }
}
Injectable()(PasswordService)
Secret('db/password')(PasswordService, undefined, 0)

class NeedsMissing {
  constructor(missing) {
    this.missing = missing
  }
}
Injectable()(NeedsMissing)
Secret('module/missing')(NeedsMissing, undefined, 0)

function nestVersion(entry) {
  let dir = dirname(entry)
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (manifest.name === '@nestjs/core') return manifest.version
    } catch {}
    dir = dirname(dir)
  }
}

async function main() {
  const result = { nest: nestVersion(coreEntry) }

  class OkModule {}
  Module({
    imports: [
      SecretsModule.forRoot({
        source: new MemorySource({ 'db/password': process.env.SCENARIO_DB_PASSWORD }),
        isGlobal: true,
      }),
    ],
    providers: [PasswordService],
  })(OkModule)
  const ok = await NestFactory.createApplicationContext(OkModule, { logger: false, abortOnError: false })
  const { password } = ok.get(PasswordService)
  result.loaded = password.loaded
  result.sha256 = createHash('sha256').update(password.reveal()).digest('hex')
  await ok.close()

  class FailingModule {}
  Module({
    imports: [
      ConfigModule.forRoot({
        ignoreEnvFile: true,
        load: [
          secretsLoader({
            source: new MemorySource({}),
            namespace: 'app',
            secrets: { other: 'config/missing' },
          }),
        ],
      }),
      SecretsModule.forRoot({
        source: new MemorySource({}),
        isGlobal: true,
        preload: ['module/preloaded-missing'],
      }),
    ],
    providers: [NeedsMissing],
  })(FailingModule)
  try {
    await NestFactory.createApplicationContext(FailingModule, { logger: false, abortOnError: false })
    result.failure = null
  } catch (error) {
    result.failure = {
      code: error.code,
      names: (error.errors ?? []).map((e) => `${e.secretName} ${e.code}`).sort(),
    }
  }
  process.stdout.write(`scenario ${JSON.stringify(result)}\n`)
}

main().catch((error) => {
  process.stderr.write(`scenario failed: ${error.code ?? error.name}: ${error.message}\n`)
  process.exit(1)
})
