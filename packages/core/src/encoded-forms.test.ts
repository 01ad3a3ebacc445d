import { execFile, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { encodedForms } from './encoded-forms.js'
import { SecretRedactor } from './redactor.js'
import { formsOf } from './redactor-forms.js'

/** Printable ASCII, controls, Latin-1, BMP and astral characters; the DSN password and AWS-key shapes of the issue. */
const SAMPLES = [
  Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join(''),
  '\t\n\r\u0000\u007f-controls',
  'päss wörd é✓€😀',
  'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+w==',
  "p@ss w#rd'x",
]
const LONE_SURROGATE = 'x\ud83dy-lone-surrogate'

const lower = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())

function attempt(encoder: (value: string) => string, value: string): string | undefined {
  try {
    return encoder(value)
  } catch {
    return undefined
  }
}

function userinfo(value: string): string {
  const url = new URL('http://host')
  url.password = value
  return url.password
}

function query(scheme: string, value: string): string {
  const url = new URL(`${scheme}://host/`)
  url.search = `v=${value}`
  return url.search.slice(3)
}

/** Python's own output for each value, or `undefined` when `python3` is not installed. */
function pythonForms(values: readonly string[]): Array<Record<string, string>> | undefined {
  const program = [
    'import json, sys',
    'from urllib.parse import quote, quote_plus, urlencode',
    'out = []',
    'for v in json.load(sys.stdin):',
    "    out.append({'quote': quote(v), 'safe': quote(v, safe=''), 'plus': quote_plus(v), 'urlencode': urlencode({'k': v})[2:]})",
    'print(json.dumps(out))',
  ].join('\n')
  const run = spawnSync('python3', ['-c', program], { input: JSON.stringify(values), encoding: 'utf8' })
  if (run.error !== undefined || run.status !== 0) return undefined
  return JSON.parse(run.stdout) as Array<Record<string, string>>
}

/**
 * The same, computed from the documented rules (docs.python.org, `urllib.parse.quote`): letters,
 * digits and `_.-~` are never quoted, nor `safe` (default `'/'`); UTF-8 bytes as `%XX`; `quote_plus`
 * and `urlencode` also write space as `+` with `safe=''`.
 */
function pythonByRules(value: string): Record<string, string> {
  const quote = (safe: string, plus: boolean) =>
    [...Buffer.from(value, 'utf8')]
      .map((byte) => {
        const ch = String.fromCharCode(byte)
        if (/[A-Za-z0-9_.~-]/.test(ch) || (byte < 128 && safe.includes(ch))) return ch
        if (plus && byte === 32) return '+'
        return `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
      })
      .join('')
  return {
    quote: quote('/', false),
    safe: quote('', false),
    plus: quote('', true),
    urlencode: quote('', true),
  }
}

/** What `curl --data-urlencode` sends for each value, read by a real HTTP server; `undefined` without curl. */
async function curlForms(values: readonly string[]): Promise<string[] | undefined> {
  const bodies: string[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => {
      bodies.push(body)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  try {
    for (const value of values) {
      const ok = await new Promise<boolean>((resolve) => {
        execFile('curl', ['-s', '--data-urlencode', `k=${value}`, `http://127.0.0.1:${port}/`], (error) =>
          resolve(error === null),
        )
      })
      if (!ok) return undefined
    }
    return bodies.map((body) => body.slice(2))
  } finally {
    server.close()
  }
}

/** The real encoders' output per coverage-table row (Python and curl added by the caller). */
function expectedRows(value: string): Record<string, string | undefined> {
  const uri = attempt(encodeURIComponent, value)
  return {
    raw: value,
    'JSON string': JSON.stringify(value).slice(1, -1),
    'JSON string in a JSON string': JSON.stringify(JSON.stringify(value).slice(1, -1)).slice(1, -1),
    encodeURIComponent: uri,
    'encodeURIComponent, spaces as +': uri?.replace(/%20/g, '+'),
    encodeURI: attempt(encodeURI, value),
    'URLSearchParams (WHATWG form)': new URLSearchParams({ v: value }).toString().slice(2),
    'WHATWG URL userinfo (url.username, url.password)': userinfo(value),
    'WHATWG URL query, special scheme (http:, https:, ws:…)': query('http', value),
    'WHATWG URL query, non-special scheme (postgres:, redis:…)': query('postgres', value),
  }
}

function check(value: string, rows: Record<string, string | undefined>): void {
  const forms = encodedForms(value)
  const texts = new Set(forms.map((entry) => entry.text))
  const withLower: Array<[string, string]> = []
  for (const [row, text] of Object.entries(rows)) {
    if (text === undefined) continue
    withLower.push([row, text])
    if (lower(text) !== text) withLower.push([`${row}, lowercase hex`, lower(text)])
  }
  const redactor = new SecretRedactor()
  redactor.add(value)
  for (const [row, text] of withLower) {
    expect(texts.has(text), `${row}: ${JSON.stringify(text)}`).toBe(true)
    // each form names the row of the first encoder that writes this text
    const named = forms.find((entry) => entry.text === text)?.form as string
    expect(named.replace(/, lowercase hex$/, '') in rows || named === row).toBe(true)
    // and the scrubber covers it wherever it stands
    expect(redactor.redact(`<${text}>`), row).toBe('<[REDACTED]>')
  }
  // formsOf indexes exactly these texts
  expect(new Set(formsOf(value).map((form) => form.pattern))).toEqual(texts)
}

describe('encodedForms against the real encoders', () => {
  const python = pythonForms(SAMPLES)

  it.each(SAMPLES.map((value, i) => [i, value] as const))(
    'gives every form the coverage table lists (sample %i), Python run through python3 when present',
    (i, value) => {
      const py = python?.[i] ?? pythonByRules(value)
      check(value, {
        ...expectedRows(value),
        "Python quote(safe='')": py.safe,
        "Python quote (default safe='/')": py.quote,
        'Python quote_plus, urlencode; curl --data-urlencode': py.plus,
        'Python urlencode': py.urlencode,
      })
    },
  )

  it('computes the Python forms by the documented rules exactly as python3 writes them', () => {
    if (python === undefined) {
      // no python3 on this machine: the rules above stand alone (the CI image has python3)
      expect(spawnSync('python3', ['--version']).status).not.toBe(0)
      return
    }
    SAMPLES.forEach((value, i) => {
      expect(pythonByRules(value)).toEqual(python[i])
    })
  })

  it("matches curl --data-urlencode's body (a real curl to a real HTTP server)", async () => {
    const bodies = await curlForms(SAMPLES.filter((value) => !/[\0\r\n]/.test(value)))
    if (bodies === undefined) {
      expect(spawnSync('curl', ['--version']).status).not.toBe(0)
      return
    }
    const plain = SAMPLES.filter((value) => !/[\0\r\n]/.test(value))
    plain.forEach((value, i) => {
      expect(encodedForms(value).map((entry) => entry.text)).toContain(bodies[i])
    })
  })

  it('gives no form an encoder would refuse (a lone surrogate in encodeURIComponent), and the WHATWG ones it writes', () => {
    check(LONE_SURROGATE, expectedRows(LONE_SURROGATE))
    expect(encodedForms(LONE_SURROGATE).some((entry) => entry.form === 'encodeURIComponent')).toBe(false)
  })

  it('scrubs the leaks the issue found: Python quote of an AWS key, encodeURI of a DSN, a postgres: query', () => {
    const key = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY+w=='
    const dsnPassword = 'p@ss w#rd'
    const quoted = "it's-a-secret"
    const redactor = new SecretRedactor()
    for (const value of [key, dsnPassword, quoted]) redactor.add(value)
    const url = new URL('postgres://db/app')
    url.search = `password=${quoted}`
    for (const text of [
      `GET /?k=${(python?.[3] ?? pythonByRules(key)).quote}`,
      encodeURI(`postgres://app:${dsnPassword}@db/app`),
      url.href,
    ]) {
      const out = redactor.redact(text)
      expect(out).toContain('[REDACTED]')
      for (const value of [key, dsnPassword, quoted]) expect(out).not.toContain(value)
    }
  })

  it('names only rows of the coverage table in the core README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const rows = new Set(
      SAMPLES.flatMap((value) => encodedForms(value).map((e) => e.form.replace(/, lowercase hex$/, ''))),
    )
    // a table cell holding exactly the row name (the formatter pads cells to the column width)
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    for (const row of rows) expect(readme, row).toMatch(new RegExp(`^\\| ${escaped(row)} +\\|`, 'm'))
  })
})
