// The CommonJS half of a program that loads both builds: @latchkey/pg's dist/index.d.cts.
import core = require('@latchkey/core')
import latchkeyPg = require('@latchkey/pg')

import type { CachedSecretProvider as EsmProvider } from '@latchkey/core' with { 'resolution-mode': 'import' }

declare const esmProvider: EsmProvider
export const cjsProvider = new core.CachedSecretProvider(new core.MemorySource())

// The pool of each build takes a provider of either build.
export const pool = new latchkeyPg.RotatingPool({ provider: cjsProvider, secret: 'db/creds', max: 2 })
export const other = new latchkeyPg.RotatingPool({ provider: esmProvider, secret: 'db/creds' })
export const secret: Promise<string> = pool.provider.getSecret('db/creds')
