/**
 * The build drops `keepNames` calls that name a function the way the language already does
 * (`scripts/package-build.ts`, `withoutInferredNameCalls`): `const f = __name((x) => …, "f")` ran an
 * `Object.defineProperty` each time the enclosing code ran, so a closure made per call (the `err`
 * serializer's `nested`, the line scrubber's helpers) paid it on every log line. What the
 * language names stays named; a call that gives another name stays.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureBuilt } from '@latchkey/test-support'
import { beforeAll, describe, expect, it } from 'vitest'
import { withoutInferredNameCalls } from '../scripts/package-build.js'

const root = join(import.meta.dirname, '..')

/** What the function defined by `code` (a script ending in an expression statement) is named. */
function nameAfter(code: string): unknown {
  const __name = (target: object, value: string) =>
    Object.defineProperty(target, 'name', { value, configurable: true })
  return new Function('__name', `${code}`)(__name)
}

describe('withoutInferredNameCalls', () => {
  it('drops the call (and its pure mark) where the binding names the function', () => {
    const code = [
      'const f = /* @__PURE__ */ __name((x) => x + 1, "f");',
      'function outer() {',
      '  const nested = /* @__PURE__ */ __name((value) => {',
      '    return value;',
      '  }, "nested");',
      '  return { load: /* @__PURE__ */ __name(async () => nested(1), "load"), "a-b": __name(function () {}, "a-b") };',
      '}',
    ].join('\n')
    expect(withoutInferredNameCalls(code, false)).toBe(
      [
        'const f = (x) => x + 1;',
        'function outer() {',
        '  const nested = (value) => {',
        '    return value;',
        '  };',
        '  return { load: async () => nested(1), "a-b": function () {} };',
        '}',
      ].join('\n'),
    )
  })

  it('drops nested calls, inner and outer', () => {
    const code =
      'const outer = __name(() => { const inner = __name(() => 1, "inner"); return inner; }, "outer");'
    const out = withoutInferredNameCalls(code, true)
    expect(out).toBe('const outer = () => { const inner = () => 1; return inner; };')
    expect(nameAfter(`${out}\nreturn [outer.name, outer().name];`)).toEqual(['outer', 'inner'])
  })

  it('keeps every other call: another name, a computed key, an assignment, a statement of its own', () => {
    const kept = [
      'const f2 = /* @__PURE__ */ __name(() => 1, "f");',
      'const g = __name(function h() {}, "g");',
      'const o = { [key]: __name(() => 1, "key") };',
      'x = __name(() => 1, "x");',
      '__name(f, "f");',
    ]
    for (const line of kept) expect(withoutInferredNameCalls(line, false), line).toBe(line)
  })

  it('names functions the same before and after', () => {
    const code = 'const f = __name((x) => x, "f"); const o = { load: __name(() => 1, "load") };'
    const after = withoutInferredNameCalls(code, false)
    expect(nameAfter(`${after}\nreturn [f.name, o.load.name];`)).toEqual(
      nameAfter(`${code}\nreturn [f.name, o.load.name];`),
    )
  })
})

describe('the built packages', () => {
  const packages = readdirSync(join(root, 'packages')).filter((name) =>
    existsSync(join(root, 'packages', name, 'package.json')),
  )
  beforeAll(() => ensureBuilt(packages))

  it('hold no keepNames call the language makes needless, in either format', () => {
    const files = packages.flatMap((name) => {
      const dist = join(root, 'packages', name, 'dist')
      return existsSync(dist)
        ? readdirSync(dist)
            .filter((file) => /\.(?:c|m)?js$/.test(file))
            .map((file) => join(dist, file))
        : []
    })
    expect(files.length).toBeGreaterThan(20)
    for (const file of files) {
      const code = readFileSync(file, 'utf8')
      expect(withoutInferredNameCalls(code, !file.endsWith('.cjs')), file).toBe(code)
    }
  })
})
