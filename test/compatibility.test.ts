/**
 * The Compatibility sections say what CI runs: every package README names exactly the Node.js lines
 * of `NODE_LINES` (scripts/node-lines.mjs, which `.ci/run` runs the suite and the install lines on)
 * that its `engines` admit, and `.ci/run` really runs that matrix. `engines` tell the truth about
 * the peers: a peer whose tested release declares a later Node.js than the package's minimum needs
 * an install line for that minimum (which the install-line check then runs on that line). A peer
 * range proven at its floor (an exact-version npm alias of the peer among the devDependencies, run
 * by a test of the package) starts at the oldest such release, admits each one, and the README's
 * Compatibility section names them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = join(import.meta.dirname, '..')
const { NODE_LINES } = (await import(pathToFileURL(join(root, 'scripts', 'node-lines.mjs')).href)) as {
  NODE_LINES: number[]
}
const packages = readdirSync(join(root, 'packages')).filter((n) =>
  existsSync(join(root, 'packages', n, 'package.json')),
)
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8')
const manifest = (name: string) => JSON.parse(read('packages', name, 'package.json'))
const minMajor = (range: string | undefined) => Number(/^\s*>=?\s*\^?(\d+)/.exec(range ?? '')?.[1] ?? 0)
const section = (readme: string, heading: string) =>
  new RegExp(`^## ${heading}\\n([\\s\\S]*?)(?=^## )`, 'm').exec(readme)?.[1] ?? ''
/** `[20, 22, 24]` → `20, 22 and 24`. */
const spoken = (lines: number[]) =>
  lines.length === 1 ? `${lines[0]}` : `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`

/** `4.10.0` → `[4, 10, 0]`. */
const parts = (version: string) => version.split('.').map(Number)
const compare = (a: string, b: string) => {
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}
/**
 * The `[floor, ceiling)` pairs of a peer range written as `^x.y.z`, `~x.y.z` or `>=a <b` joined by
 * `||` (what our manifests use); anything else throws, so a new form cannot pass unread.
 */
function segments(range: string): [string, string][] {
  return range.split('||').map((raw) => {
    const text = raw.trim()
    const caret = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(text)
    if (caret) {
      const [major = 0, minor = 0, patch = 0] = caret.slice(1).map(Number)
      const ceiling = major > 0 ? `${major + 1}.0.0` : `0.${minor + 1}.0`
      return [`${major}.${minor}.${patch}`, ceiling]
    }
    const tilde = /^~(\d+)\.(\d+)\.(\d+)$/.exec(text)
    if (tilde) return [text.slice(1), `${tilde[1]}.${Number(tilde[2]) + 1}.0`]
    const between = /^>=\s*(\d+\.\d+\.\d+)\s+<\s*(\d+)(?:\.(\d+))?$/.exec(text)
    if (between) return [between[1], `${between[2]}.${between[3] ?? 0}.0`]
    throw new Error(`unparsed peer range segment "${text}"`)
  }) as [string, string][]
}
const admits = (range: string, version: string) =>
  segments(range).some(([floor, ceiling]) => compare(version, floor) >= 0 && compare(version, ceiling) < 0)
const floorOf = (range: string) =>
  segments(range)
    .map(([floor]) => floor)
    .sort(compare)[0]
/** Every `packages/<name>` file under src/ and test/ that is a test or a test helper. */
function testSources(name: string): string[] {
  const out: string[] = []
  for (const dir of ['src', 'test']) {
    const base = join(root, 'packages', name, dir)
    if (!existsSync(base)) continue
    for (const file of readdirSync(base, { recursive: true }) as string[]) {
      if (/\.test\.ts$/.test(file) || (dir === 'test' && /\.[cm]?[jt]s$/.test(file)))
        out.push(read('packages', name, dir, file))
    }
  }
  return out
}
/** `{ alias, peer, version }` for each exact-version npm alias of one of the package's peers. */
function floorAliases(name: string) {
  const pkg = manifest(name)
  return Object.entries((pkg.devDependencies ?? {}) as Record<string, string>).flatMap(([alias, spec]) => {
    const match = /^npm:(@?[^@]+)@(\d+\.\d+\.\d+)$/.exec(spec)
    const [, peer, version] = match ?? []
    if (peer === undefined || version === undefined || pkg.peerDependencies?.[peer] === undefined) return []
    return [{ alias, peer, version }]
  })
}

describe('Compatibility sections and engines match what CI runs', () => {
  it('.ci/run runs the suite and the install lines on every line of NODE_LINES', () => {
    expect(NODE_LINES.length).toBeGreaterThanOrEqual(3)
    expect(read('.ci', 'run')).toMatch(/node scripts\/node-matrix\.mjs --with-install-lines/)
    expect(read('scripts', 'node-matrix.mjs')).toMatch(/for \(const major of NODE_LINES\)/)
  })

  it.each(packages)(
    'packages/%s/README.md names the Node.js lines CI runs that its engines admit',
    (name) => {
      const pkg = manifest(name)
      const lines = NODE_LINES.filter((line) => line >= minMajor(pkg.engines?.node))
      const compatibility = section(read('packages', name, 'README.md'), 'Compatibility')
      expect(lines.length, `${name}: engines ${pkg.engines?.node} admit no CI line`).toBeGreaterThan(0)
      expect(compatibility, `${name}: Compatibility names "Node.js ${spoken(lines)}"`).toContain(
        `Node.js ${spoken(lines)} (`,
      )
      expect(compatibility).toMatch(/CI, `bash \.ci\/run`, runs the whole suite/)
      expect(compatibility).not.toMatch(/not yet part of CI|runs on Node\.js 20 here|machine's Node\.js 20/)
    },
  )

  it('the install-line check runs an example of every package (the first one, but where it needs the cloud)', async () => {
    const { CASES } = (await import(
      pathToFileURL(join(root, 'test', 'install-lines', 'cases.mjs')).href
    )) as {
      CASES: Record<string, { run?: () => { harness?: string; label?: string; expect?: string[] } }>
    }
    expect(Object.keys(CASES).sort()).toEqual([...packages].sort())
    const notFirst: string[] = []
    for (const name of packages) {
      const run = CASES[name]?.run?.()
      expect(run, `${name}: test/install-lines/cases.mjs has no run`).toBeDefined()
      if (run?.harness !== undefined) {
        expect(existsSync(join(root, 'test', 'install-lines', 'harness', run.harness)), run.harness).toBe(
          true,
        )
      }
      if (run?.label !== undefined) notFirst.push(name)
    }
    // Their first example reads from the cloud itself (a fixed vault URL, Application Default
    // Credentials); the check runs their README's emulator example instead.
    expect(notFirst.sort()).toEqual(['azure', 'google'])
  })

  it('the root README Compatibility line names every CI line', () => {
    const line = /\*\*Compatibility\.\*\*([\s\S]*?)\n\n/.exec(read('README.md'))?.[1] ?? ''
    expect(line).toContain(`Node.js ${spoken(NODE_LINES)}:`)
    expect(line).toContain('runs the whole suite on each line')
    for (const major of ['Express 4 and 5', 'Fastify 5', 'NestJS 11', 'pino 9 and 10', 'AWS SDK v3']) {
      expect(line).toContain(major)
    }
  })

  it.each(packages)(
    'packages/%s: a peer needing a later Node.js than engines has an install line for the minimum',
    (name) => {
      const pkg = manifest(name)
      const min = minMajor(pkg.engines?.node)
      const install = section(read('packages', name, 'README.md'), 'Install')
      for (const peer of Object.keys(pkg.peerDependencies ?? {})) {
        if (peer.startsWith('@latchkey/')) continue // checked as a package of its own
        const file = join(root, 'packages', name, 'node_modules', peer, 'package.json')
        const needs = minMajor(JSON.parse(readFileSync(file, 'utf8')).engines?.node)
        if (needs <= min) continue
        expect(
          install,
          `${name}: ${peer} (tested release) declares Node.js ${needs}; engines say ${min}`,
        ).toMatch(new RegExp(`^#.*Node\\.js ${min}\\b`, 'm'))
      }
    },
  )

  it('the peers proven at their floor are the ones listed here', () => {
    const proven = packages.flatMap((name) => [
      ...new Set(floorAliases(name).map((a) => `${name}: ${a.peer}`)),
    ])
    expect(proven.sort()).toEqual(['azure: @azure/keyvault-secrets', 'pg: pg', 'pino: pino'])
  })

  it.each(packages.flatMap((name) => floorAliases(name).map((a) => ({ name, ...a }))))(
    'packages/$name: $peer $version ($alias) is admitted, run by a test and named in the README',
    ({ name, alias, peer, version }) => {
      const range = manifest(name).peerDependencies[peer] as string
      expect(admits(range, version), `${peer} ${range} admits ${version}`).toBe(true)
      const installed = JSON.parse(read('packages', name, 'node_modules', alias, 'package.json'))
      expect(installed.name).toBe(peer)
      expect(installed.version).toBe(version)
      expect(
        testSources(name).some((text) => text.includes(`'${alias}'`)),
        `a test of packages/${name} loads '${alias}'`,
      ).toBe(true)
      expect(section(read('packages', name, 'README.md'), 'Compatibility')).toContain(version)
    },
  )

  it.each(packages.filter((name) => floorAliases(name).length > 0))(
    'packages/%s: a peer range proven at its floor starts at the oldest release the suite runs',
    (name) => {
      const pkg = manifest(name)
      for (const peer of new Set(floorAliases(name).map((a) => a.peer))) {
        const oldest = floorAliases(name)
          .filter((a) => a.peer === peer)
          .map((a) => a.version)
          .sort(compare)[0] as string
        expect(floorOf(pkg.peerDependencies[peer]), `${name}: ${peer} ${pkg.peerDependencies[peer]}`).toBe(
          oldest,
        )
      }
    },
  )
})
