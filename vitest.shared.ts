import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url))

/** `@latchkey/<name>` → `packages/<name>/src/index.ts`, so package tests run against source. */
export const sourceAliases: Record<string, string> = Object.fromEntries(
  readdirSync(packagesDir).map((name) => [`@latchkey/${name}`, `${packagesDir}${name}/src/index.ts`]),
)

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
      setupFiles: [fileURLToPath(new URL('./test/canary/setup.ts', import.meta.url))],
      ...overrides.test,
    },
  })
}
