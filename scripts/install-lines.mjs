#!/usr/bin/env node
/**
 * README install lines, checked the way a new user follows them: for every published package,
 * in an empty directory outside the workspace, run the README's install line (with `--engine-strict`)
 * with each `@latchkey/*` name replaced by its packed tarball (`pnpm pack`), then type-check the
 * README's first TypeScript example under `strict` with `moduleResolution` node16, nodenext and
 * bundler (one install reused by the three configs), and run it as test/install-lines/cases.mjs
 * says: with an environment, or under a harness (test/install-lines/harness/) that starts the
 * backend from the installed @latchkey/testing tarball (an emulator, embedded PostgreSQL), sets the
 * environment the README names, runs the example and checks what it did. A run fails on a non-zero
 * exit, missing expected output, or any of its secret values in the output. `--verbose` prints the
 * output of passing checks too; name packages to check only those.
 *
 * Runs on the Node.js that runs this script (CI calls it once per line). A package whose `engines`
 * exclude this line is reported as excluded (not run, not counted), and so is one install line that
 * names such a package (the CLI's optional `@latchkey/google` on Node.js 20). One shared npm cache
 * (.tmp/npm-cache) keeps repeated runs fast. Prints one row per package and check, then
 * `N passed, M failed`.
 */
import { spawnSync } from 'node:child_process'
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { CASES, TOOLCHAIN } = await import(
  pathToFileURL(join(root, 'test', 'install-lines', 'cases.mjs')).href
)
const major = Number(process.versions.node.split('.')[0])
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'))
/** `--verbose`: print the output of passing checks too (the runs' output never holds a value). */
const verbose = process.argv.includes('--verbose')
const npmCache = join(root, '.tmp', 'npm-cache')
const env = { ...process.env, npm_config_cache: npmCache, npm_config_update_notifier: 'false' }

const RESOLUTIONS = {
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
}

function sh(command, args, cwd, timeout = 300_000) {
  const started = Date.now()
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 })
  return {
    ok: r.status === 0,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
    ms: Date.now() - started,
  }
}

/**
 * The `npm install` lines a user runs from the Install section's first block: the first group of
 * lines (a comment line starts the next group, an alternative such as `# Express 4`, unless it
 * starts with `# plus`, which continues the group). A group whose comment names a Node.js line
 * (`# Node.js 20: …`) is used on that line instead of the first group.
 */
function installLines(readme) {
  const section = /^## Install\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? ''
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const groups = [{ comment: '', lines: [] }]
  for (const raw of block.split('\n')) {
    const line = raw.trim()
    if (line.startsWith('#') && !line.startsWith('# plus')) {
      if ((groups.at(-1)?.lines.length ?? 0) > 0 || groups.length === 1)
        groups.push({ comment: line, lines: [] })
      else groups[groups.length - 1].comment = line
    } else if (line.startsWith('npm install ')) {
      groups[groups.length - 1].lines.push(line)
    }
  }
  const filled = groups.filter((g) => g.lines.length > 0)
  const forThisLine = filled.find((g) => new RegExp(`Node\\.js ${major}\\b`).test(g.comment))
  const general = filled.find((g) => !/Node\.js \d+/.test(g.comment) || /and later/.test(g.comment))
  return (forThisLine ?? general)?.lines ?? []
}

/** The first ```ts block after `## Usage`, with its snippet-preamble comment. */
function firstExample(readme) {
  const usage = readme.slice(readme.search(/^## Usage/m))
  const match = /(?:<!--\s*snippet-preamble:([\s\S]*?)-->\n)?```(?:ts|typescript)\n([\s\S]*?)```/.exec(usage)
  return match ? { preamble: match[1]?.trim() ?? '', code: match[2] } : undefined
}

function enginesOf(name) {
  return JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).engines?.node
}

function satisfiesEngines(range) {
  const min = /^>=\s*(\d+)/.exec(range ?? '')
  return !min || major >= Number(min[1])
}

const work = mkdtempSync(join(tmpdir(), `latchkey-install-lines-node${major}-`))
const tarballs = join(work, 'tarballs')
mkdirSync(tarballs)
const names = readdirSync(join(root, 'packages')).filter(
  (n) => CASES[n] && (only.length === 0 || only.includes(n)),
)
const packed = {}
for (const name of readdirSync(join(root, 'packages'))) {
  const r = sh('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', name))
  const file = readdirSync(tarballs).find((f) => f.startsWith(`latchkey-${name}-`))
  if (!r.ok || !file) {
    console.error(r.out)
    throw new Error(`pnpm pack failed in packages/${name}`)
  }
  packed[`@latchkey/${name}`] = join(tarballs, file)
}

const rows = []
const record = (name, check, ok, ms, detail = '') => {
  rows.push({ name, check, ok, ms })
  console.log(`${ok ? 'PASS' : 'FAIL'} ${name} ${check} (${(ms / 1000).toFixed(1)} s)`)
  if ((!ok || verbose) && detail) console.log(detail.split('\n').slice(-40).join('\n'))
}

for (const name of names) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'))
  if (!satisfiesEngines(pkg.engines?.node)) {
    console.log(`---- ${name}: engines ${pkg.engines.node} exclude Node.js ${major}; not installed here`)
    continue
  }
  const readme = readFileSync(join(root, 'packages', name, 'README.md'), 'utf8')
  const commands = installLines(readme)
  const example = firstExample(readme)
  const spec = CASES[name]
  const dir = join(work, name)
  mkdirSync(dir)
  // The tarballs stand in for the registry: the named packages and the @latchkey/* dependencies
  // they pull in (`@latchkey/core` of `@latchkey/testing`, say) all come from this checkout.
  // (npm refuses an override of a package the command names itself, so those are left out.)
  const named = new Set(commands.flatMap((line) => line.split(/\s+/)))
  const overrides = Object.fromEntries(
    Object.entries(packed)
      .filter(([id]) => !named.has(id))
      .map(([id, file]) => [id, `file:${file}`]),
  )
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `try-${name}`, private: true, type: 'module', overrides }),
  )
  if (commands.length === 0 || !example) {
    record(name, 'README has an install line and a first example', false, 0)
    continue
  }
  let installed = true
  for (const line of commands) {
    const excluded = line
      .split(/\s+/)
      .filter((word) => packed[word] !== undefined)
      .find((id) => !satisfiesEngines(enginesOf(id.slice('@latchkey/'.length))))
    if (excluded !== undefined) {
      console.log(
        `---- ${name}: \`${line}\` names ${excluded}, whose engines (${enginesOf(excluded.slice('@latchkey/'.length))}) exclude Node.js ${major}; not installed here`,
      )
      continue
    }
    const words = line
      .replace(/#.*$/, '')
      .trim()
      .split(/\s+/)
      .slice(2)
      .map((w) => packed[w] ?? w)
    const install = sh(
      'npm',
      ['install', '--engine-strict', '--no-audit', '--no-fund', '--prefer-offline', ...words],
      dir,
    )
    record(name, `install: ${line}`, install.ok, install.ms, install.out)
    installed &&= install.ok
  }
  if (!installed) continue
  const extra = [...TOOLCHAIN(major), ...(spec.runWith ?? []).map((w) => packed[w] ?? w)]
  // npm refuses an override of a package the command names, so a tarball named here leaves them.
  const runWithPacked = (spec.runWith ?? []).filter((w) => packed[w] !== undefined)
  if (runWithPacked.length > 0) {
    const manifestPath = join(dir, 'package.json')
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    for (const id of runWithPacked) delete manifest.overrides[id]
    writeFileSync(manifestPath, JSON.stringify(manifest))
  }
  const tools = sh(
    'npm',
    ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', ...extra],
    dir,
  )
  if (!tools.ok) {
    record(name, 'toolchain install', false, tools.ms, tools.out)
    continue
  }
  const source = `${example.preamble}\n${spec.prelude ?? ''}\n${example.code}\nexport {}\n`
  writeFileSync(join(dir, 'example.ts'), source)
  for (const [label, resolution] of Object.entries(RESOLUTIONS)) {
    const tsconfig = {
      compilerOptions: {
        target: 'es2022',
        lib: ['es2023'],
        types: ['node'],
        strict: true,
        skipLibCheck: false,
        outDir: `out-${label}`,
        ...resolution,
        ...(spec.compilerOptions ?? {}),
      },
      files: ['example.ts'],
    }
    writeFileSync(join(dir, `tsconfig.${label}.json`), JSON.stringify(tsconfig, null, 2))
    const tsc = sh(
      process.execPath,
      [join(dir, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', `tsconfig.${label}.json`],
      dir,
    )
    record(name, `tsc strict, moduleResolution ${label}`, tsc.ok, tsc.ms, tsc.out)
  }
  if (spec.run) {
    const run = spec.run()
    // A harness (test/install-lines/harness/<name>.mjs) starts the backend the example needs from
    // the installed @latchkey/testing, runs the example with the environment the README names and
    // checks what it did; without one, the example runs on its own with `run.env`.
    let args = [join(dir, 'out-nodenext', 'example.js')]
    if (run.harness) {
      for (const file of ['lib.mjs', run.harness]) {
        copyFileSync(join(root, 'test', 'install-lines', 'harness', file), join(dir, file))
      }
      args = [join(dir, run.harness)]
    }
    const started = Date.now()
    const r = spawnSync(process.execPath, args, {
      cwd: dir,
      env: {
        ...env,
        ...run.env,
        ILK_SEED: JSON.stringify(run.seed ?? {}),
        ILK_EXAMPLE: join(dir, 'out-nodenext', 'example.js'),
      },
      encoding: 'utf8',
      timeout: 120_000,
    })
    const out = `${r.stdout}${r.stderr}`
    const missing = (run.expect ?? []).filter((text) => !out.includes(text))
    // The values the run handed out (its environment and the harness's seed) never appear.
    const leaked = [...Object.values(run.seed ?? {}), ...(run.secretEnv ?? []).map((k) => run.env[k])].filter(
      (v) => typeof v === 'string' && v.length > 0 && out.includes(v),
    ).length
    const ok = r.status === 0 && missing.length === 0 && leaked === 0
    const why = [
      r.status === 0 ? '' : `exit ${r.status ?? r.signal}`,
      ...missing.map((text) => `missing output: ${text}`),
      leaked > 0 ? `${leaked} secret value(s) in the output (not shown)` : '',
    ].filter(Boolean)
    const shown = leaked > 0 ? '(output withheld: it holds a secret value)' : out
    record(
      name,
      `${run.label ?? 'runs the first example'} (${run.what})`,
      ok,
      Date.now() - started,
      `${why.join('\n')}\n${shown}`,
    )
  }
}

rmSync(work, { recursive: true, force: true })
const passed = rows.filter((r) => r.ok).length
console.log(`\ninstall lines on Node.js ${process.version}: ${rows.length} checks`)
console.log(`${passed} passed, ${rows.length - passed} failed`)
process.exit(passed === rows.length ? 0 : 1)
