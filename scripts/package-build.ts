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
 *   a bundler may drop with an unused class.
 * - `keepNames` also wraps every function bound to a name, `const f = __name((x) => …, "f")`, which
 *   runs an `Object.defineProperty` each time the line runs: per call for a closure made inside a
 *   function. {@link withoutInferredNameCalls} takes those wrappers out of both formats where the
 *   language gives the same name.
 */
import { parse } from 'acorn'
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
/** A module-level class, as esbuild writes one: `var X = class {` or `var X = class extends Y {`. */
const CLASS_START = /^var [\w$]+ = class\b[^\n]*\{$/
/** A member with a computed key (`[INSPECT]() {`), which a bundler must assume has side effects. */
const COMPUTED_MEMBER = /^ {2}(?:static )?(?:async )?(?:get |set )?\*?\[/m
/**
 * Core's helpers marked `@__NO_SIDE_EFFECTS__` (`core/src/option-keys.ts`) that other packages
 * call at module level (`var X_OPTION_KEYS = optionKeys({...})`). esbuild honours that mark only
 * in the file that declares the function, so each call in another package's output is marked.
 */
const PURE_CALL = /^(var [\w$]+ = )((?:optionKeys|integrationOptionKeys)\d*\()/gm

/**
 * Both formats without the name wrappers the language makes needless ({@link withoutInferredNameCalls}),
 * and the ESM output made tree-shakable while keeping every name, line for line (the source map
 * stays true line by line; columns shift where a wrapper was cut):
 * - a class's static block becomes `static get name() { return "X" }`: the class keeps reporting
 *   `X` after a minifier renames its binding, and a class nothing uses is no longer kept alive;
 * - a function's `__name(f, "f")` goes where the binding already has that name (a function
 *   declaration names itself); a binding esbuild renamed (`f2`) keeps its call;
 * - a module-level class with a computed member key (`[INSPECT]()`) is wrapped in a pure arrow
 *   call, `/* @__PURE__ *\/ (() => class { … })()`, so an unused one is dropped too (its name
 *   comes from its `static get name()`);
 * - module-level calls of core's side-effect-free helpers are marked `/* @__PURE__ *\/`.
 */
export function shakableNames(): TsupPlugin {
  return {
    name: 'latchkey-shakable-names',
    renderChunk(code, info) {
      if (!/\.(?:m|c)?js$/.test(info.path)) return undefined
      const inferred = withoutInferredNameCalls(code, this.format === 'esm')
      if (this.format !== 'esm') return { code: inferred }
      const named = inferred
        .replace(CLASS_NAME_BLOCK, (_, inner: string, name: string, outer: string) => {
          return `static get name() {\n${inner}return ${name};\n${outer}}`
        })
        .replace(FUNCTION_NAME_CALL, (call, binding: string, name: string) => (binding === name ? '' : call))
        .replace(PURE_CALL, '$1/* @__PURE__ */ $2')
      return { code: wrapComputedClasses(named) }
    },
  }
}

/** An acorn node, as far as {@link withoutInferredNameCalls} reads one. */
interface AstNode {
  type: string
  start: number
  end: number
  [key: string]: unknown
}

/**
 * `code` without the `keepNames` calls that name a function the way the language already does:
 * `const f = /* @__PURE__ *\/ __name((x) => …, "f")` becomes `const f = (x) => …`, and
 * `{ load: __name(async () => …, "load") }` becomes `{ load: async () => … }`, because an anonymous
 * function bound to a variable or a property takes that name itself. Each such call runs every time
 * the enclosing code runs: inside a function, a closure made per call paid an
 * `Object.defineProperty` per call (a `nested` helper in the `err` serializer cost more than the
 * rest of it). Calls that give a name the binding does not (`f2` renamed by esbuild) stay. Both
 * formats: a function's name only matters in a stack trace, and a minifier renames plain
 * bindings the same way.
 */
export function withoutInferredNameCalls(code: string, module: boolean): string {
  if (!code.includes('__name(')) return code
  const root = parsed(code, module)
  // each call loses its head (`/* @__PURE__ */ __name(`) and its tail (`, "f")`): ranges that never
  // overlap, even for a call inside the function another one wraps
  const cuts: Array<[number, number]> = []
  const visit = (node: AstNode, parent: AstNode | undefined): void => {
    if (node.type === 'CallExpression' && parent !== undefined) {
      const inner = inferredFunction(node, parent)
      if (inner !== undefined) {
        const pure = '/* @__PURE__ */ '
        const start =
          code.slice(node.start - pure.length, node.start) === pure ? node.start - pure.length : node.start
        cuts.push([start, inner.start], [inner.end, node.end])
      }
    }
    for (const value of Object.values(node)) {
      if (Array.isArray(value)) {
        for (const item of value) if (isNode(item)) visit(item, node)
      } else if (isNode(value)) visit(value, node)
    }
  }
  visit(root, undefined)
  let out = code
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + out.slice(end)
  return out
}

/** `code` parsed as the format says, else as the other one (a CommonJS chunk may hold `import()` only, an ESM one no `import` at all). */
function parsed(code: string, module: boolean): AstNode {
  const kinds: Array<'module' | 'script'> = module ? ['module', 'script'] : ['script', 'module']
  let failure: unknown
  for (const sourceType of kinds) {
    try {
      return parse(code, { ecmaVersion: 'latest', sourceType }) as unknown as AstNode
    } catch (error) {
      failure ??= error
    }
  }
  throw failure
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string'
}

/** The function a `__name(fn, "x")` call wraps when its binding (`parent`) already names it `x`. */
function inferredFunction(call: AstNode, parent: AstNode): AstNode | undefined {
  const callee = call.callee as AstNode
  const args = call.arguments as AstNode[]
  if (callee.type !== 'Identifier' || callee.name !== '__name' || args.length !== 2) return undefined
  const [fn, label] = args as [AstNode, AstNode]
  if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') return undefined
  if (label.type !== 'Literal' || typeof label.value !== 'string') return undefined
  const name = label.value
  const own = fn.id as AstNode | null | undefined
  if (own !== null && own !== undefined && own.name !== name) return undefined
  if (parent.type === 'VariableDeclarator') {
    const id = parent.id as AstNode
    return parent.init === call && id.type === 'Identifier' && id.name === name ? fn : undefined
  }
  if (parent.type === 'Property') {
    const key = parent.key as AstNode
    const keyName = key.type === 'Identifier' ? key.name : key.type === 'Literal' ? key.value : undefined
    const plain =
      parent.kind === 'init' &&
      parent.computed === false &&
      parent.method === false &&
      parent.shorthand === false
    return plain && parent.value === call && keyName === name ? fn : undefined
  }
  return undefined
}

/**
 * Wraps each module-level class that has a computed member key and a `static get name()` in a pure
 * arrow call. The class ends at the first later line `};` that closes it: the wrapped text must
 * parse (`new Function` compiles without running it), else the class is left as it is.
 */
function wrapComputedClasses(code: string): string {
  const lines = code.split('\n')
  for (let start = 0; start < lines.length; start++) {
    const head = lines[start] as string
    if (!CLASS_START.test(head)) continue
    for (let end = start + 1; end < lines.length; end++) {
      if (lines[end] !== '};') continue
      const body = lines.slice(start + 1, end).join('\n')
      if (!COMPUTED_MEMBER.test(body) || !body.includes('static get name() {')) break
      const at = head.indexOf('= class') + 2
      const wrapped = [
        `${head.slice(0, at)}/* @__PURE__ */ (() => ${head.slice(at)}`,
        ...lines.slice(start + 1, end),
        '})();',
      ]
      if (!parses(wrapped.join('\n').slice(at))) continue
      lines.splice(start, end - start + 1, ...wrapped)
      start = end
      break
    }
  }
  return lines.join('\n')
}

/** Whether `expression` (from `/* @__PURE__ *\/ (() => class …)();`) is one whole expression. */
function parses(expression: string): boolean {
  try {
    new Function(`return ${expression.replace(/;$/, '')}`)
    return true
  } catch {
    return false
  }
}
