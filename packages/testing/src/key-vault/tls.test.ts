import { X509Certificate } from 'node:crypto'
import { createSecureContext } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { selfSignedCertificate } from './tls.js'

describe('selfSignedCertificate', () => {
  it.each([
    ['a random serial', undefined],
    ['a serial whose first byte is 0 (DER forbids that padding)', Buffer.from([0, 0x10, 1, 2, 3, 4, 5, 6])],
    ['a serial with its top bit set', Buffer.from([0xff, 1, 2, 3])],
    ['a serial of zero bytes only', Buffer.from([0, 0, 0])],
  ])('is valid DER with %s', (_label, serial) => {
    const { cert, key } = selfSignedCertificate(['latchkey.vault.localhost', '127.0.0.1'], undefined, serial)
    const parsed = new X509Certificate(cert)
    expect(parsed.checkHost('latchkey.vault.localhost')).toBe('latchkey.vault.localhost')
    expect(parsed.checkIP('127.0.0.1')).toBe('127.0.0.1')
    expect(parsed.verify(parsed.publicKey)).toBe(true)
    expect(() => createSecureContext({ cert, key })).not.toThrow()
  })
})
