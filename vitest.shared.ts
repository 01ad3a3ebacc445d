import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url))

/**
 * `@latchkey/<name>` → `packages/<name>/src/index.ts` (and `@latchkey/<name>/internal` →
 * `src/internal.ts`), so package tests run against source. The `/internal` keys come first: an
 * alias also matches every path below its key, and the first match wins.
 */
export const sourceAliases: Record<string, string> = Object.fromEntries([
  ...readdirSync(packagesDir)
    .filter((name) => existsSync(`${packagesDir}${name}/src/internal.ts`))
    .map((name) => [`@latchkey/${name}/internal`, `${packagesDir}${name}/src/internal.ts`]),
  ...readdirSync(packagesDir).map((name) => [`@latchkey/${name}`, `${packagesDir}${name}/src/index.ts`]),
])

/** The project config every package uses; pass overrides for plugins or longer timeouts. */
export function latchkeyProject(name: string, overrides: UserWorkspaceConfig = {}) {
  return defineProject({
    ...overrides,
    resolve: { alias: sourceAliases, ...overrides.resolve },
    test: {
      name,
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 60_000,
      setupFiles: [fileURLToPath(new URL('./test-support/src/setup.ts', import.meta.url))],
      ...overrides.test,
    },
  })
}
