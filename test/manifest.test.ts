/**
 * Checks every packages/<name>/package.json: exports with types, peers declared, nothing undeclared
 * imported by the built code (run after `pnpm build`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const names = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)
const PEER_ONLY = [
  /^@nestjs\//,
  /^@aws-sdk\//,
  /^fastify$/,
  /^express$/,
  /^pg$/,
  /^pino$/,
  /^node-vault$/,
  /^reflect-metadata$/,
  /^rxjs$/,
]

/** Bare specifiers the built package imports or requires (what actually ships). */
function shippedImports(dir: string): string[] {
  const files = ['index.js', 'index.cjs'].map((f) => join(dir, 'dist', f)).filter((f) => existsSync(f))
  expect(files.length, `${dir} is not built; run \`pnpm build\``).toBe(2)
  const specifiers = files.flatMap((file) => {
    const text = readFileSync(file, 'utf8')
    return [
      ...text.matchAll(/\bfrom\s*["']([^"']+)["']/g),
      ...text.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
      ...text.matchAll(/\brequire\s*\(\s*["']([^"']+)["']\s*\)/g),
      ...text.matchAll(/^import\s*["']([^"']+)["']/gm),
    ].map((m) => m[1] as string)
  })
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string)))
}

describe.each(names)('@latchkey/%s package.json', (name) => {
  const dir = join(root, 'packages', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

  it('is named, licensed, described and ESM-first with Node 20+', () => {
    expect(pkg.name).toBe(`@latchkey/${name}`)
    expect(pkg.license).toBe('MIT')
    expect(pkg.description.length).toBeGreaterThan(20)
    expect(pkg.type).toBe('module')
    expect(pkg.engines.node).toBe('>=20')
    expect(pkg.files).toContain('dist')
  })

  it('exports ESM and CommonJS, each with its own types first', () => {
    const dot = pkg.exports['.']
    expect(Object.keys(dot.import)[0]).toBe('types')
    expect(Object.keys(dot.require)[0]).toBe('types')
    expect(dot.import.types).toMatch(/\.d\.ts$/)
    expect(dot.require.types).toMatch(/\.d\.cts$/)
    expect(dot.import.default).toMatch(/\.js$/)
    expect(dot.require.default).toMatch(/\.cjs$/)
    expect(pkg.main).toBe(dot.require.default)
  })

  it('declares everything its source imports; frameworks, drivers and SDKs only as peers', () => {
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ])
    const imported = new Set(shippedImports(dir))
    for (const dep of imported) expect(declared, `${dep} is imported but not declared`).toContain(dep)
    for (const dep of Object.keys(pkg.dependencies ?? {})) {
      if (name === 'testing') continue // test tooling runs its own drivers; it is not an adapter
      expect(
        PEER_ONLY.some((re) => re.test(dep)),
        `${dep} must be a peer dependency`,
      ).toBe(false)
    }
    for (const dep of Object.keys(pkg.peerDependencies ?? {})) {
      expect(pkg.devDependencies?.[dep], `peer ${dep} needs a dev dependency to test against`).toBeDefined()
    }
    if (name !== 'core' && name !== 'testing')
      expect(pkg.dependencies['@latchkey/core']).toMatch(/^workspace:/)
  })

  it('has a README with Install, Compatibility, Usage, Options, Errors and TypeScript', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8')
    for (const section of ['Install', 'Compatibility', 'Usage', 'Options', 'Errors', 'TypeScript']) {
      expect(readme, `README section ${section}`).toMatch(new RegExp(`^##+ .*${section}`, 'm'))
    }
  })
})
