// The CommonJS half of a program that loads both builds: @latchkey/fastify's dist/index.d.cts.
import core = require('@latchkey/core')
import plugin = require('@latchkey/fastify')
import fastify = require('fastify')

import type { CachedSecretProvider as EsmProvider } from '@latchkey/core' with { 'resolution-mode': 'import' }

declare const esmProvider: EsmProvider
export const cjsProvider = new core.CachedSecretProvider(new core.MemorySource())

const app = fastify.fastify()
// Each build's plugin takes a provider of either build.
app.register(plugin.latchkey, { provider: cjsProvider, preload: ['db/password'] })
app.register(plugin.default, { provider: esmProvider, decorator: 'other' })
export const value: Promise<string> = app.secrets.getSecret('db/password')
export const revealed: string = app.secrets.handle('db/password').reveal()
