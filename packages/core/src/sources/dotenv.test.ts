/**
 * `.env` files parse with the dotenv grammar exactly (issue 21): the real `dotenv` package's
 * `parse()` is the oracle, on named cases (multiline double quotes, escapes, single quotes,
 * backticks, comments, `export `, CRLF) and on 20,000 generated files of the characters that
 * matter. And an EnvSource reading a file with a multiline value returns all of it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { parseDotenv } from './dotenv.js'
import { EnvSource } from './env.js'

const dotenv = createRequire(import.meta.url)('dotenv') as { parse(text: string): Record<string, string> }

const sorted = (entries: Iterable<[string, string]>) =>
  [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
const ours = (text: string) => sorted(parseDotenv(text).entries())
const oracle = (text: string) => sorted(Object.entries(dotenv.parse(text)))

const cases = [
  'A="line1\nline2"',
  'A="line1\r\nline2"\r\nB=2',
  'A="multi\n#not a comment\nvalue" # a comment',
  'A="a\\nb\\rc\\td\\\\e"',
  "A='no\\nexpansion'",
  'A=`back"ticked\'value`',
  'A="escaped \\" quote"',
  'A="ends with backslash\\"',
  'A="quoted"trailing',
  "A='it's'",
  'A="unterminated\nB=next',
  'A=bare#comment',
  'A=bare # comment',
  'A=a\\#b',
  'A="#kept"',
  '  export   A = spaced value  ',
  'exportA=1',
  'A: colon',
  'A:nospace',
  'A.B-C_d=1',
  'A=1\nA=2',
  'A=',
  'A',
  '# A=1',
  'A=""\nB=\'\'\nC=``',
  'A="a" "b"',
  'A=a=b=c',
  'A=$OTHER $X',
  'A=é☃',
  '\n\n  \nA=after blanks\n\n',
]

describe('parseDotenv against the dotenv package', () => {
  it.each(cases)('%j', (text) => {
    expect(ours(text)).toEqual(oracle(text))
  })

  it('agrees on 20,000 generated files of quotes, escapes, comments, separators and line ends', () => {
    const alphabet = [
      'A',
      'B',
      '=',
      ':',
      ' ',
      '\n',
      '\r\n',
      '\r',
      '"',
      "'",
      '`',
      '\\',
      '#',
      'n',
      'export ',
      '\t',
      'é',
      '.',
      '-',
      '\\n',
    ]
    // a fixed linear congruential sequence: the same files on every run
    let state = 20_261_207
    const next = (n: number) => {
      state = (state * 1_103_515_245 + 12_345) & 0x7fffffff
      return state % n
    }
    const mismatches: string[] = []
    for (let i = 0; i < 20_000; i++) {
      let text = ''
      for (let j = 1 + next(24); j > 0; j--) text += alphabet[next(alphabet.length)]
      if (JSON.stringify(ours(text)) !== JSON.stringify(oracle(text))) mismatches.push(text)
    }
    expect(mismatches).toEqual([])
  })
})

describe('EnvSource({ envFile })', () => {
  it('returns a double-quoted multiline value whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'latchkey-dotenv-'))
    const file = join(dir, '.env')
    const [a, b, c] = [canary('l1'), canary('l2'), canary('l3')]
    await writeFile(file, `# keys\nexport PRIVATE_KEY="${a}\n${b}\n${c}"\nNEXT=1\n`)
    const source = new EnvSource({ env: {}, envFile: file })
    const signal = new AbortController().signal
    expect((await source.load('private/key', { signal })).value).toBe(`${a}\n${b}\n${c}`)
    expect((await source.load('next', { signal })).value).toBe('1')
  })
})
