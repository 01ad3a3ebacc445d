/**
 * `latchkey scan` throughput over a generated 100 MB tree of text files, next to `grep -F -f` of
 * the same values (every form `scan` looks for), run interleaved in the same process so both see
 * the same page cache and machine load. Run: `pnpm --filter @latchkey/cli bench`.
 *
 * Rows: the whole command (`node dist/bin.js scan`, start-up and secret loading included) against
 * `grep -rF -f patterns`, and the matcher alone (in process) against the same grep.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encodedForms } from '@latchkey/core/internal'
import { MultiMatcher } from '../src/scan/matcher.js'

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))
const SECRETS = 50
const FILES = 1_000
const FILE_BYTES = 100_000
const ROUNDS = 5

function randomWord(seed: number): string {
  let x = seed * 2_654_435_761
  let out = ''
  for (let i = 0; i < 28; i++) {
    x = (x * 1_103_515_245 + 12_345) >>> 0
    out += 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/+&= '[x % 67]
  }
  return out
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-scan-bench-'))
  try {
    const values = Array.from({ length: SECRETS }, (_, i) => `bench-${i}-${randomWord(i + 1)}`)
    const env: Record<string, string> = {}
    values.forEach((v, i) => {
      env[`BENCH_S${i}`] = v
    })
    writeFileSync(
      join(dir, 'latchkey.config.json'),
      JSON.stringify({
        sources: { env: { type: 'env', prefix: 'BENCH_' } },
        secrets: values.map((_, i) => `s${i}`),
      }),
    )
    const forms = values.flatMap((v) => encodedForms(v).map((f) => f.text))
    writeFileSync(join(dir, 'patterns.txt'), `${forms.join('\n')}\n`)
    // the tree: log-like lines, a few planted values
    const line =
      '2026-12-07T05:00:00.000Z INFO request handled path=/api/v1/items status=200 ms=12 user=alice\n'
    const body = line.repeat(Math.ceil(FILE_BYTES / line.length)).slice(0, FILE_BYTES)
    const tree = join(dir, 'tree')
    for (let f = 0; f < FILES; f++) {
      const sub = join(tree, `d${f % 20}`)
      if (f < 20) mkdirSync(sub, { recursive: true })
      writeFileSync(join(sub, `f${f}.log`), f % 100 === 0 ? `${body}leak ${values[f % SECRETS]}\n` : body)
    }
    const total = FILES * FILE_BYTES
    const cli: number[] = []
    const grep: number[] = []
    const inProcess: number[] = []
    const matcher = new MultiMatcher(forms.map((text) => ({ bytes: Buffer.from(text), tag: 0 })))
    const files = readdirSync(tree, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log'))
    for (let round = 0; round < ROUNDS; round++) {
      let t = performance.now()
      const run = spawnSync(process.execPath, [BIN, 'scan', 'tree', '--json'], {
        cwd: dir,
        env: { ...process.env, ...env },
        maxBuffer: 64 << 20,
      })
      cli.push(performance.now() - t)
      if (run.status !== 1) throw new Error(`scan exited ${run.status}: ${run.stderr}`)
      const found = (JSON.parse(run.stdout.toString()) as { findings: unknown[] }).findings.length
      t = performance.now()
      const g = spawnSync('grep', ['-rnF', '-f', 'patterns.txt', 'tree'], { cwd: dir, maxBuffer: 64 << 20 })
      grep.push(performance.now() - t)
      const grepLines = g.stdout.toString().trim().split('\n').length
      if (round === 0)
        console.log(`findings: latchkey ${found}, grep lines ${grepLines} (expected ${FILES / 100})`)
      t = performance.now()
      let hits = 0
      for (const file of files) {
        matcher.feed(readFileSync(join(tree, file)), 0, 0, () => hits++)
      }
      inProcess.push(performance.now() - t)
    }
    const mbps = (ms: number) => (total / 1e6 / (ms / 1000)).toFixed(0)
    const g = median(grep)
    console.log(
      `tree: ${FILES} files, ${(total / 1e6).toFixed(0)} MB, ${SECRETS} secrets → ${forms.length} patterns; ${ROUNDS} interleaved rounds, medians`,
    )
    console.log(`grep -rnF -f         ${mbps(g).padStart(6)} MB/s  (${g.toFixed(0)} ms)`)
    console.log(
      `latchkey scan (CLI)  ${mbps(median(cli)).padStart(6)} MB/s  (${median(cli).toFixed(0)} ms)  ${(median(cli) / g).toFixed(2)}× grep's time`,
    )
    console.log(
      `matcher in process   ${mbps(median(inProcess)).padStart(6)} MB/s  (${median(inProcess).toFixed(0)} ms)  ${(median(inProcess) / g).toFixed(2)}× grep's time`,
    )
    console.log(
      `spread: cli ${Math.min(...cli).toFixed(0)}–${Math.max(...cli).toFixed(0)} ms, grep ${Math.min(...grep).toFixed(0)}–${Math.max(...grep).toFixed(0)} ms`,
    )
    console.log(`grep: ${execFileSync('grep', ['--version']).toString().split('\n')[0]}`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
