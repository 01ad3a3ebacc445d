import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'
import { isIPv4 } from 'node:net'

/** A certificate and its private key, PEM-encoded. */
export interface SelfSignedCertificate {
  /** The certificate: also the CA a client must trust. */
  cert: string
  /** The PKCS #8 private key. */
  key: string
}

// A minimal DER writer: Node can make keys and signatures but not X.509 certificates, so the
// emulator assembles one itself (RFC 5280 structure, ECDSA P-256 with SHA-256).

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content])
}

const sequence = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts))

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number)
  const bytes = [first * 40 + second]
  for (const arc of rest) {
    const chunk = [arc & 0x7f]
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80)
    bytes.push(...chunk)
  }
  return tlv(0x06, Buffer.from(bytes))
}

/** A DER INTEGER for unsigned `bytes`: minimal, so no redundant leading zero (DER rejects one), and a 0 before a high bit. */
function positiveInteger(bytes: Buffer): Buffer {
  let start = 0
  while (start < bytes.length - 1 && bytes[start] === 0) start++
  const minimal = bytes.subarray(start)
  const first = minimal[0] ?? 0
  return tlv(0x02, first >= 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal)
}

function utcTime(date: Date): Buffer {
  const two = (n: number) => String(n).padStart(2, '0')
  const text =
    two(date.getUTCFullYear() % 100) +
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z'
  return tlv(0x17, Buffer.from(text, 'ascii'))
}

function commonName(name: string): Buffer {
  return sequence(tlv(0x31, sequence(objectId('2.5.4.3'), tlv(0x0c, Buffer.from(name, 'utf8')))))
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectId(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value))
}

const ECDSA_WITH_SHA256 = sequence(objectId('1.2.840.10045.4.3.2'))

/**
 * A self-signed certificate for `hosts` (DNS names and IPv4 addresses), valid from a day before
 * now to a year after, made fresh at each call. It is its own CA: give `cert` to the client as
 * the only trusted CA.
 */
export function selfSignedCertificate(
  hosts: string[],
  name = 'latchkey key vault emulator',
  /** Serial number bytes; random by default (tests pass edge cases). */
  serialBytes?: Buffer,
): SelfSignedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
  const now = Date.now()
  const altNames = hosts.map((host) =>
    isIPv4(host)
      ? tlv(0x87, Buffer.from(host.split('.').map(Number)))
      : tlv(0x82, Buffer.from(host, 'ascii')),
  )
  const serial = serialBytes ?? randomBytes(16)
  // positive: the top bit of the first byte clear (DER INTEGERs are signed)
  if (serialBytes === undefined) serial[0] = (serial[0] ?? 0) & 0x7f
  const tbs = sequence(
    tlv(0xa0, positiveInteger(Buffer.from([2]))),
    positiveInteger(serial),
    ECDSA_WITH_SHA256,
    commonName(name),
    sequence(utcTime(new Date(now - 86_400_000)), utcTime(new Date(now + 365 * 86_400_000))),
    commonName(name),
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(
      0xa3,
      sequence(
        extension('2.5.29.19', true, sequence(tlv(0x01, Buffer.from([0xff])))),
        extension('2.5.29.17', false, sequence(...altNames)),
      ),
    ),
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = sequence(tbs, ECDSA_WITH_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])))
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n')
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  }
}
