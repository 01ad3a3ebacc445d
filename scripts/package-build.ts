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
 * - `keepNames` writes each name as a statement (`static { __name(this, "X") }` in every class,
 *   `__name(f, "f")` after every function) that a user's bundler must keep, and with it the class
 *   or function: a Lambda handler bundled with esbuild compiled every class of every package it
 *   imported. {@link shakableNames} rewrites the ESM output so the same names are declarations
 *   a bundler may drop with an unused class (the CommonJS output is left as it is).
 */
import type { Options } from 'tsup'

type TsupPlugin = NonNullable<Options['plugins']>[number]

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
    plugins: [shakableNames()],
  }
}

/** A class's `keepNames` block: `static {\n    __name(this, "X");\n  }`. */
const CLASS_NAME_BLOCK = /static \{\n(\s*)__name\(this, ("[\w$]+")\);\n(\s*)\}/g
/** A function's top-level `keepNames` call: `__name(f, "f");` on a line of its own. */
const FUNCTION_NAME_CALL = /^__name\(([\w$]+), "([\w$]+)"\);$/gm

/**
 * The ESM output's names as declarations a bundler can drop with the code they name, line for line
 * (the source map stays true):
 * - a class's static block becomes `static get name() { return "X" }`: the class keeps reporting
 *   `X` after a minifier renames its binding, and a class nothing uses is no longer kept alive;
 * - a function's `__name(f, "f")` goes where the binding already has that name (a function
 *   declaration names itself); a binding esbuild renamed (`f2`) keeps its call.
 */
export function shakableNames(): TsupPlugin {
  return {
    name: 'latchkey-shakable-names',
    renderChunk(code, info) {
      if (this.format !== 'esm' || !/\.m?js$/.test(info.path)) return undefined
      const named = code
        .replace(CLASS_NAME_BLOCK, (_, inner: string, name: string, outer: string) => {
          return `static get name() {\n${inner}return ${name};\n${outer}}`
        })
        .replace(FUNCTION_NAME_CALL, (call, binding: string, name: string) => (binding === name ? '' : call))
      return { code: named }
    },
  }
}
