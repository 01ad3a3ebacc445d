// The CommonJS half of a program that loads both builds: @latchkey/express's dist/index.d.cts.
import core = require('@latchkey/core')
import latchkey = require('@latchkey/express')
import express = require('express')

import type { CachedSecretProvider as EsmProvider } from '@latchkey/core' with { 'resolution-mode': 'import' }

declare const esmProvider: EsmProvider
export const cjsProvider = new core.CachedSecretProvider(new core.MemorySource())

const app = express()
// Each build's middleware takes a provider of either build.
app.use(latchkey.secrets({ provider: cjsProvider, preload: ['db/password'] }))
app.use(latchkey.secrets({ provider: esmProvider }))
app.get('/', latchkey.requireSecrets('db/password'), (req, res) => {
  res.json({ loaded: req.secrets.handle('db/password').loaded })
})
