import { fileURLToPath } from 'node:url'
import { ensureBuilt, typeErrors } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'

const fixture = fileURLToPath(new URL('../test-fixtures/dual-types/tsconfig.json', import.meta.url))

describe('a program that loads both the ESM and the CommonJS build', () => {
  // the fixture type-checks the built .d.ts and .d.cts
  beforeAll(() => ensureBuilt(['core', 'fastify'], 'index.d.cts'), 180_000)

  it('type-checks: a provider of either build fits each build (no TS2322), and merged declarations agree (no TS2717)', () => {
    expect(typeErrors(fixture)).toBe('')
  })
})
