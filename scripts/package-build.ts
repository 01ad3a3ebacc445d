/**
 * The one tsup configuration every package builds with (each `packages/<name>/tsup.config.ts`
 * passes its entries and the few options that differ).
 *
 * Names survive both builds:
 * - `keepNames`: esbuild renames a top-level binding when two modules of one bundle declare the
 *   same name (`InvalidOptionsError2`); with `keepNames` the class still reports its own `.name`.
 * - A CommonJS build with several entries (`splitting`) goes through rollup (`treeshake`), not
 *   tsup's sucrase pass. Sucrase lowers class fields by rewriting `class X { f = 1 }` as
 *   `var X = (_class = class { … }, _class)`, so every such class is named `_classN` and errors log
 *   as `_class13: failed to load 2 secrets`. Rollup converts the ESM chunks to CommonJS without
 *   touching class syntax.
 */
import type { Options } from 'tsup'

/** What differs between packages. */
export interface PackageBuild {
  /** Entry files, relative to the package. */
  entry: string[]
  /** tsup's `shims` (`import.meta.url` in CommonJS, `__dirname` in ESM). @default false */
  shims?: boolean
}

/** Node.js line the output is written for: the oldest one any package supports. */
export const BUILD_TARGET = 'node20'

export function packageBuild({ entry, shims = false }: PackageBuild): Options {
  const splitting = entry.length > 1
  return {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: BUILD_TARGET,
    keepNames: true,
    splitting,
    treeshake: splitting,
    shims,
  }
}
