// The ESM half: @latchkey/pg's dist/index.d.ts, in the same program as cjs.cts.
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { RotatingPool } from '@latchkey/pg'
import { cjsProvider } from './cjs.cjs'

export const fromCjs = new RotatingPool({ provider: cjsProvider, secret: 'db/creds' })
export const fromEsm = new RotatingPool({
  provider: new CachedSecretProvider(new MemorySource()),
  passwordSecret: 'db/password',
  user: 'app',
})
export const built = new RotatingPool({ source: new MemorySource(), secret: 'db/creds', ttl: 60_000 })
