/**
 * What scripts/install-lines.mjs needs per package beyond its README: packages it installs next to
 * the README line to run the example (never to compile it), and how to run the first example.
 * A package listed here is checked; `run` is absent where the first example needs a backend the
 * script does not start (the check then covers install and compile only — say so in the report).
 */
import { randomBytes } from 'node:crypto'

const value = (label) => `ilk-${label}-${randomBytes(9).toString('base64url')}`

/** Compiler and Node.js types a user adds to compile TypeScript; not part of any README line. */
export const TOOLCHAIN = (major) => ['typescript@~5.9.3', `@types/node@^${major}`]

export const CASES = {
  core: {
    run: () => {
      const password = value('password')
      return {
        what: 'EnvSource over the process environment',
        env: {
          DB_PASSWORD: password,
          STRIPE_API_KEY: value('stripe'),
          DB_CREDS: JSON.stringify({ username: 'app' }),
        },
        expect: [],
      }
    },
  },
  pino: {
    run: () => ({
      what: 'EnvSource and a pino logger writing to stdout',
      env: { DB_PASSWORD: value('password') },
      expect: ['postgres://app:[REDACTED]@db/app failed', '"password":"[REDACTED]"'],
    }),
  },
  aws: {},
  azure: {},
  google: {},
  vault: {},
  express: {},
  fastify: {},
  nestjs: { compilerOptions: { experimentalDecorators: true, emitDecoratorMetadata: true } },
  pg: {},
  opentelemetry: {},
  testing: {},
  lambda: {},
  cli: {},
}
