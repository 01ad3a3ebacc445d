/**
 * Number tokens of JSON text that a double cannot hold exactly (`123456789012345678`,
 * `0.10000000000000000001`): `JSON.parse` rounds them silently. These scans run on text that
 * `JSON.parse` already accepted, so they only track strings, nesting and number tokens.
 */

/** `sign digits e exponent` of a decimal number's text with leading and trailing zeros removed; zero is `0`. */
function decimalKey(text: string): string | undefined {
  const match = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text)
  if (match === null) return undefined
  const [, sign, whole = '', fraction = '', exponent = '0'] = match
  let digits = whole + fraction
  let exp = Number(exponent) - fraction.length
  let start = 0
  while (start < digits.length && digits[start] === '0') start++
  digits = digits.slice(start)
  if (digits.length === 0) return '0'
  let end = digits.length
  while (digits[end - 1] === '0') end--
  exp += digits.length - end
  digits = digits.slice(0, end)
  return `${sign}${digits}e${exp}`
}

/** Whether the number token `token` parses to a double that prints as the same decimal value. */
export function isExactNumber(token: string): boolean {
  const key = decimalKey(token)
  return key !== undefined && key === decimalKey(String(Number(token)))
}

function isNumberStart(code: number): boolean {
  return code === 45 || (code >= 48 && code <= 57)
}

function numberEnd(text: string, start: number): number {
  let i = start
  while (i < text.length && /[-+0-9.eE]/.test(text[i] as string)) i++
  return i
}

function stringEnd(text: string, start: number): number {
  let i = start + 1
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 92) i += 2
    else if (c === 34) return i + 1
    else i++
  }
  return i
}

/** The position of the first number token in `text[from, to)` that a double cannot hold exactly. */
export function firstInexactNumber(text: string, from = 0, to = text.length): number | undefined {
  let i = from
  while (i < to) {
    const c = text.charCodeAt(i)
    if (c === 34) i = stringEnd(text, i)
    else if (isNumberStart(c)) {
      const end = numberEnd(text, i)
      if (!isExactNumber(text.slice(i, end))) return i
      i = end
    } else i++
  }
  return undefined
}

/**
 * The source text span of the value of `field` in a JSON object's text — the last occurrence, as
 * `JSON.parse` keeps the last of duplicate keys. `undefined` when the text is not an object or has
 * no such key.
 */
export function fieldSpan(text: string, field: string): { start: number; end: number } | undefined {
  let depth = 0
  let found: { start: number; end: number } | undefined
  let valueStart = -1
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      const end = stringEnd(text, i)
      if (depth === 1 && valueStart === -1) {
        let j = end
        while (j < text.length && /\s/.test(text[j] as string)) j++
        if (text[j] === ':') {
          let k = j + 1
          while (k < text.length && /\s/.test(text[k] as string)) k++
          if ((JSON.parse(text.slice(i, end)) as string) === field) valueStart = k
          i = k
          continue
        }
      }
      i = end
      continue
    }
    if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93 || c === 44) {
      if (depth === 1 && valueStart !== -1) {
        let end = i
        while (end > valueStart && /\s/.test(text[end - 1] as string)) end--
        found = { start: valueStart, end }
        valueStart = -1
      }
      if (c !== 44) depth--
    }
    i++
  }
  return found
}
