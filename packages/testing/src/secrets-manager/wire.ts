/** Timestamps go on the wire as epoch seconds, fractions allowed (docs/wire-facts.md#secrets-manager-wire-format). */
export function epochSeconds(ms: number): number {
  return ms / 1000
}

/** A stored secret value: text or bytes. */
export type SecretPayload = { kind: 'string'; text: string } | { kind: 'binary'; bytes: Buffer }

/** The wire fields for a value: `SecretString`, or `SecretBinary` as base64. */
export function payloadFields(payload: SecretPayload): { SecretString: string } | { SecretBinary: string } {
  return payload.kind === 'string'
    ? { SecretString: payload.text }
    : { SecretBinary: payload.bytes.toString('base64') }
}

/** Size in bytes as the 65,536 limit counts it. */
export function payloadSize(payload: SecretPayload): number {
  return payload.kind === 'string' ? Buffer.byteLength(payload.text) : payload.bytes.byteLength
}

export function samePayload(a: SecretPayload, b: SecretPayload): boolean {
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text
  if (a.kind === 'binary' && b.kind === 'binary') return a.bytes.equals(b.bytes)
  return false
}
