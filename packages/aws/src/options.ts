/** Option checks every source and the watcher of this package share. */

/** True for an absolute `http:` or `https:` URL; `localhost:4599` parses as a URL of scheme `localhost:`, and is refused. */
export function isHttpUrl(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value) && /^https?:$/.test(new URL(value).protocol)
}
