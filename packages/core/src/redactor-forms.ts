/**
 * The forms a secret value takes in a log line. Each form is a pattern the redactor's index looks
 * for; `keepStart`/`keepEnd` characters of a match are context that stays in the text.
 */
export interface Form {
  pattern: string
  keepStart: number
  keepEnd: number
}

/** Characters every encoding below leaves as they are (RFC 3986 unreserved). */
const UNRESERVED = /^[A-Za-z0-9_.~-]*$/

const hexTable = (upper: boolean) =>
  Array.from({ length: 256 }, (_, byte) => {
    const hex = byte.toString(16).padStart(2, '0')
    return `%${upper ? hex.toUpperCase() : hex}`
  })
export const HEX_UPPER = hexTable(true)
export const HEX_LOWER = hexTable(false)

/** ASCII characters an encoding writes as they are: letters, digits and `extra`. */
function keeps(extra: string): Uint8Array {
  const table = new Uint8Array(128)
  for (let c = 0; c < 128; c++) {
    const ch = String.fromCharCode(c)
    if (/[A-Za-z0-9]/.test(ch) || extra.includes(ch)) table[c] = 1
  }
  return table
}

/** Printable ASCII except `encoded`: the WHATWG URL percent-encode sets are written this way. */
function keepsAllBut(encoded: string): Uint8Array {
  const table = new Uint8Array(128)
  for (let c = 0x21; c < 0x7f; c++) if (!encoded.includes(String.fromCharCode(c))) table[c] = 1
  return table
}

const ALNUM = keeps('')

/** One URL encoding: which ASCII characters it writes as they are, and its other rules. */
export interface Encoding {
  /** The row of the coverage table (core README) this encoding is. */
  name: string
  keep: Uint8Array
  /** Space as `+`. */
  plus: boolean
  /** Lone surrogates become U+FFFD (WHATWG) instead of making the encoding fail (`encodeURIComponent`). */
  replaceLoneSurrogates: boolean
  /** The WHATWG URL parser drops tabs and newlines before encoding. */
  dropsTabsAndNewlines?: boolean
}

/**
 * The URL encodings real clients write; each also with lowercase hex. Each is checked against the
 * real encoder in `encoded-forms.test.ts` (Python and curl through their own programs when present).
 */
export const ENCODINGS: readonly Encoding[] = [
  { name: 'encodeURIComponent', keep: keeps("-_.!~*'()"), plus: false, replaceLoneSurrogates: false },
  {
    name: 'encodeURIComponent, spaces as +',
    keep: keeps("-_.!~*'()"),
    plus: true,
    replaceLoneSurrogates: false,
  },
  { name: 'encodeURI', keep: keeps("-_.!~*'();/?:@&=+$,#"), plus: false, replaceLoneSurrogates: false },
  { name: "Python quote(safe='')", keep: keeps('-_.~'), plus: false, replaceLoneSurrogates: false },
  {
    name: "Python quote (default safe='/')",
    keep: keeps('-_.~/'),
    plus: false,
    replaceLoneSurrogates: false,
  },
  {
    name: 'Python quote_plus, urlencode; curl --data-urlencode',
    keep: keeps('-_.~'),
    plus: true,
    replaceLoneSurrogates: false,
  },
  { name: 'URLSearchParams (WHATWG form)', keep: keeps('*-._'), plus: true, replaceLoneSurrogates: true },
  {
    name: 'WHATWG URL userinfo (url.username, url.password)',
    keep: keepsAllBut('"#<>?`{}/:;=@[\\]^|'),
    plus: false,
    replaceLoneSurrogates: true,
    dropsTabsAndNewlines: true,
  },
  {
    name: 'WHATWG URL query, special scheme (http:, https:, ws:…)',
    keep: keepsAllBut('"#<>\''),
    plus: false,
    replaceLoneSurrogates: true,
    dropsTabsAndNewlines: true,
  },
  {
    name: 'WHATWG URL query, non-special scheme (postgres:, redis:…)',
    keep: keepsAllBut('"#<>'),
    plus: false,
    replaceLoneSurrogates: true,
    dropsTabsAndNewlines: true,
  },
]

function utf8Percent(codePoint: number, hex: string[]): string {
  const byte = (value: number) => hex[value] as string
  if (codePoint < 0x800) return byte(0xc0 | (codePoint >> 6)) + byte(0x80 | (codePoint & 63))
  if (codePoint < 0x10000) {
    return (
      byte(0xe0 | (codePoint >> 12)) + byte(0x80 | ((codePoint >> 6) & 63)) + byte(0x80 | (codePoint & 63))
    )
  }
  return (
    byte(0xf0 | (codePoint >> 18)) +
    byte(0x80 | ((codePoint >> 12) & 63)) +
    byte(0x80 | ((codePoint >> 6) & 63)) +
    byte(0x80 | (codePoint & 63))
  )
}

/** `value` percent-encoded by `encoding`, or `undefined` where the real encoder throws (a lone surrogate). */
export function encode(raw: string, encoding: Encoding, hex: string[]): string | undefined {
  const value = encoding.dropsTabsAndNewlines === true ? raw.replace(/[\t\n\r]/g, '') : raw
  let out = ''
  let from = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 128 && encoding.keep[c] === 1) continue
    out += value.slice(from, i)
    if (c < 128) {
      out += encoding.plus && c === 32 ? '+' : hex[c]
    } else {
      let codePoint = value.codePointAt(i) as number
      if (codePoint > 0xffff) i++
      else if (codePoint >= 0xd800 && codePoint <= 0xdfff) {
        if (!encoding.replaceLoneSurrogates) return undefined
        codePoint = 0xfffd
      }
      out += utf8Percent(codePoint, hex)
    }
    from = i + 1
  }
  return from === 0 ? value : out + value.slice(from)
}

/**
 * Every URL encoding of `value` that real clients write, upper- and lowercase hex. Encodings that
 * treat each character of this value alike give the same text, so each is computed once.
 */
function urlForms(value: string): string[] {
  const specials: number[] = []
  let other = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 128) other = true
    else if (!ALNUM[c] && !specials.includes(c)) specials.push(c)
  }
  const forms: string[] = []
  const done: number[] = []
  for (const encoding of ENCODINGS) {
    // which of this value's characters the encoding keeps (past 28 of them, no sharing)
    let signature = (encoding.replaceLoneSurrogates ? 1 : 0) | (encoding.plus ? 2 : 0)
    if (encoding.dropsTabsAndNewlines === true) signature |= 4
    if (specials.length > 28) signature = -1
    else
      for (let i = 0; i < specials.length; i++)
        signature |= (encoding.keep[specials[i] as number] as number) << (i + 3)
    if (signature !== -1 && done.includes(signature)) continue
    done.push(signature)
    const upper = encode(value, encoding, HEX_UPPER)
    if (upper === undefined) continue
    forms.push(upper)
    if (other || specials.some((c) => encoding.keep[c] === 0)) {
      forms.push(encode(value, encoding, HEX_LOWER) as string)
    }
  }
  return forms
}

export const json = (value: string) => JSON.stringify(value).slice(1, -1)

/**
 * Every form of a value long enough to be scrubbed wherever it appears: raw, JSON-escaped once and
 * twice, and {@link urlForms}. A value of unreserved characters has one form: itself.
 */
export function formsOf(value: string): Form[] {
  const forms: Form[] = [{ pattern: value, keepStart: 0, keepEnd: 0 }]
  if (UNRESERVED.test(value)) return forms
  const once = json(value)
  for (const pattern of [once, json(once), ...urlForms(value)]) {
    if (!forms.some((form) => form.pattern === pattern)) forms.push({ pattern, keepStart: 0, keepEnd: 0 })
  }
  return forms
}

/**
 * The forms of a short value, scrubbed only where it stands whole: an entire JSON string (once or
 * twice escaped; a header value is one too in a JSON log line) and the password of a URL
 * (`:value@`, in each URL encoding).
 */
export function wholeFormsOf(value: string): Form[] {
  const once = json(value)
  const out = new Map<string, Form>()
  const add = (pattern: string, keep: number) => {
    if (!out.has(pattern)) out.set(pattern, { pattern, keepStart: keep, keepEnd: keep })
  }
  add(`"${once}"`, 1)
  add(`\\"${json(once)}\\"`, 2)
  for (const form of new Set([value, ...urlForms(value)])) add(`:${form}@`, 1)
  return [...out.values()]
}
