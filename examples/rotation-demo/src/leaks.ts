/**
 * An independent leak check for the demo's log: it does not use latchkey's redactor, so it can
 * catch the redactor missing something. Every value the demo ever created is searched for in raw,
 * JSON-escaped and URL-encoded form.
 */
export function findLeaks(text: string, values: Iterable<string>): string[] {
  const leaked: string[] = []
  for (const value of values) {
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])
    for (const form of forms) {
      if (text.includes(form)) {
        leaked.push(value)
        break
      }
    }
  }
  return leaked
}
