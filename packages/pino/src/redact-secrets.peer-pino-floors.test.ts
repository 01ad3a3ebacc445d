/**
 * The `redactSecrets` scenarios on the oldest release of each pino major the peer range admits:
 * `pino` (the test's pino 10) resolves to 10.0.0 and `pino9` to 9.6.0 in this file's module graph
 * (the `pino-10-0` and `pino-9-6` aliases), so every scenario of redact-secrets.test.ts runs on both.
 */
import { createRequire } from 'node:module'
import pino10 from 'pino'
import pino9 from 'pino9'
import { describe, expect, it, vi } from 'vitest'

vi.mock('pino', () => import('pino-10-0'))
vi.mock('pino9', () => import('pino-9-6'))

const require = createRequire(import.meta.url)
const versionOf = (alias: string) => (require(`${alias}/package.json`) as { version: string }).version

describe('the pino releases at the floor of each major', () => {
  it('are the ones the scenarios below log through (pino-10-0, pino-9-6)', async () => {
    expect([versionOf('pino-10-0'), versionOf('pino-9-6')]).toEqual(['10.0.0', '9.6.0'])
    expect(pino10).toBe((await import('pino-10-0')).default)
    expect(pino9).toBe((await import('pino-9-6')).default)
    expect(pino10.version).toBe('10.0.0')
    expect(pino9.version).toBe('9.6.0')
  })
})

await import('./redact-secrets.test.js')
