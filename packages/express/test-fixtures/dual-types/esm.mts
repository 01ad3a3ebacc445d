// The ESM half: @latchkey/express's dist/index.d.ts, in the same program as cjs.cts.
import { CachedSecretProvider, MemorySource } from '@latchkey/core'
import { requireSecrets, secrets } from '@latchkey/express'
import express from 'express'
import { cjsProvider } from './cjs.cjs'

const app = express()
app.use(secrets({ provider: cjsProvider }))
app.use(secrets({ provider: new CachedSecretProvider(new MemorySource()), preloadTimeout: 5_000 }))
app.use(secrets({ source: new MemorySource(), ttl: 60_000 }))
app.get('/', requireSecrets('db/password'), async (req, res) => {
  const value: string = await req.secrets.getSecret('db/password')
  res.json({ length: value.length })
})
