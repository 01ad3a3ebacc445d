// The ESM half: @latchkey/fastify's dist/index.d.ts, in the same program as cjs.cts.
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import latchkey from '@latchkey/fastify'
import Fastify from 'fastify'
import { cjsProvider } from './cjs.cjs'

const app = Fastify()
app.register(latchkey, { provider: cjsProvider })
app.register(latchkey, { provider: new CachedSecretProvider(new MemorySource()), decorator: 'other' })
app.register(latchkey, { source: new MemorySource(), ttl: 60_000, decorator: 'third' })
export const value: Promise<string> = app.secrets.getSecret('db/password')
export const version: string | undefined = app.secrets.handle('db/password').version
