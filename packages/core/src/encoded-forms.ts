/**
 * PROVISIONAL (written on the cli branch): the scrubber's `encodedForms()` replaces this file at
 * merge. Only the signature is relied on by `@latchkey/cli`.
 */

/** One text a value takes when a client writes it, with the name of the encoding. */
interface EncodedForm {
  /** The encoding's name: `raw`, `json`, `json-twice`, `uri-component`, `rfc3986`, `form`… */
  form: string
  /** The value as that encoding writes it. */
  text: string
}

const json = (value: string) => JSON.stringify(value).slice(1, -1)

/** `encodeURIComponent`, or `undefined` where it throws (a lone surrogate). */
function uriComponent(value: string): string | undefined {
  try {
    return encodeURIComponent(value)
  } catch {
    return undefined
  }
}

/** RFC 3986 strict: `encodeURIComponent` plus `!'()*` (curl --data-urlencode, Python quote(safe='')). */
const rfc3986 = (encoded: string) =>
  encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const lowerHex = (encoded: string) => encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())

/** WHATWG `application/x-www-form-urlencoded` (URLSearchParams, fetch bodies). */
const formEncoded = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)

/**
 * Every form of `value` the scrubber covers: raw, JSON-escaped once and twice, `encodeURIComponent`,
 * RFC 3986 strict, the form encodings with `+` for space, each percent form also in lowercase hex.
 * Forms that give the same text are listed once, under the first name.
 */
export function encodedForms(value: string): Array<{ form: string; text: string }> {
  const out: EncodedForm[] = []
  const add = (form: string, text: string | undefined) => {
    if (text !== undefined && text !== '' && !out.some((f) => f.text === text)) out.push({ form, text })
  }
  add('raw', value)
  const once = json(value)
  add('json', once)
  add('json-twice', json(once))
  const component = uriComponent(value)
  if (component !== undefined) {
    const strict = rfc3986(component)
    add('uri-component', component)
    add('uri-component-plus', component.replace(/%20/g, '+'))
    add('rfc3986', strict)
    add('rfc3986-plus', strict.replace(/%20/g, '+'))
    add('uri-component-lowercase', lowerHex(component))
    add('rfc3986-lowercase', lowerHex(strict))
  }
  const form = formEncoded(value)
  add('form', form)
  add('form-lowercase', lowerHex(form))
  return out
}
