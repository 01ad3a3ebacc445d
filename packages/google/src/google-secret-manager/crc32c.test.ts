import { describe, expect, it } from 'vitest'
import { crc32c } from './crc32c.js'

describe('crc32c', () => {
  it('matches the CRC-32C check values of RFC 3720 (B.4) and the standard check string', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0)
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa)
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e)
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c)
  })

  it('reads a view at its offset, not the whole buffer', () => {
    const whole = Buffer.from('xx123456789yy')
    expect(crc32c(whole.subarray(2, 11))).toBe(0xe3069283)
  })
})
