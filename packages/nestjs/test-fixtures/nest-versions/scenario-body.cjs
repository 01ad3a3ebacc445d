'use strict'
// The scenario both scenario.cjs (Nest 11, CommonJS) and scenario.mjs (Nest 12, ESM) run; it loads
// no Nest or latchkey module itself: each caller passes the ones it loaded.
const { createHash } = require('node:crypto')
const { readFileSync } = require('node:fs')
const { dirname, join } = require('node:path')

// One scenario, run on each Nest release in ./nest-*: an @Secret handle is loaded before the class
// that injects it is created (names found through DiscoveryService), and a SecretsModule and a
// secretsLoader() that both miss secrets fail startup with one error naming all of them.
// Prints one line `scenario {...}` with a fingerprint of the value, never the value.

/** The two injectables, decorated by hand (plain JavaScript has no decorator syntax). */
function services({ Injectable, Secret }) {
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
  return { PasswordService, NeedsMissing }
}

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

async function main(deps) {
  const { ConfigModule, MemorySource, Module, NestFactory, SecretsModule, secretsLoader } = deps
  const { PasswordService, NeedsMissing } = services(deps)
  const result = { nest: nestVersion(deps.coreEntry) }

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

/**
 * Runs the scenario with the modules a caller loaded its own way (`require` in scenario.cjs,
 * `import` in scenario.mjs), so each loads @latchkey/nestjs through the build it tests.
 */
module.exports = function runScenario(deps) {
  main(deps).catch((error) => {
    process.stderr.write(`scenario failed: ${error.code ?? error.name}: ${error.message}\n`)
    process.exit(1)
  })
}
