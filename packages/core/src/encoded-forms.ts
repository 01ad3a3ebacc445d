import { ENCODINGS, encode, HEX_LOWER, HEX_UPPER, json } from './redactor-forms.js'

/** One form of a value: the coverage-table row it comes from and the text a log would hold. */
export interface EncodedForm {
  /** The row of the coverage table in `@latchkey/core`'s README (`'raw'`, `'encodeURI'`, …). */
  form: string
  /** The value as that encoder writes it. */
  text: string
}

/**
 * Every form the scrubber covers for a whole value, one entry per distinct text (the first row that
 * writes a text names it): `raw`, `JSON string`, `JSON string in a JSON string`, then each URL
 * encoding of the coverage table with uppercase hex, and with lowercase hex where that differs.
 * An encoding that rejects the value (a lone surrogate in `encodeURIComponent`) gives no entry.
 * Not covered, by decision: base64, base64url and hex of the value (see the coverage table).
 *
 * The scrubber indexes exactly these texts for a value of `minLength` or more characters;
 * `latchkey scan` searches files for them.
 */
export function encodedForms(value: string): EncodedForm[] {
  const out: EncodedForm[] = []
  const seen = new Set<string>()
  const add = (form: string, text: string | undefined) => {
    if (text === undefined || text === '' || seen.has(text)) return
    seen.add(text)
    out.push({ form, text })
  }
  add('raw', value)
  const once = json(value)
  add('JSON string', once)
  add('JSON string in a JSON string', json(once))
  for (const encoding of ENCODINGS) {
    add(encoding.name, encode(value, encoding, HEX_UPPER))
    add(`${encoding.name}, lowercase hex`, encode(value, encoding, HEX_LOWER))
  }
  return out
}
