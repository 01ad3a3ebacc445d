import { Signer } from '@aws-sdk/rds-signer'
import { canary } from '@latchkey/test-support'
import { describe, expect, it } from 'vitest'
import { RdsIamAuthSource } from '../index.js'
import { readRdsToken } from './token.js'

const HOST = 'db.cluster-abc.eu-west-1.rds.amazonaws.com'

function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function tokenAt(signedAtMs: number, expires = '900'): string {
  const query = new URLSearchParams({
    Action: 'connect',
    DBUser: 'app_user',
    'X-Amz-Date': amzDate(signedAtMs),
    'X-Amz-Expires': expires,
    'X-Amz-Signature': 'a'.repeat(64),
  })
  return `${HOST}:5432/?${query}`
}

describe('readRdsToken', () => {
  it('reads X-Amz-Date as the instant RDS counts the lifetime from, in whole seconds', () => {
    const at = Date.UTC(2026, 11, 7, 13, 45, 9)
    expect(readRdsToken(tokenAt(at + 750))).toEqual({ lifetimeMs: 900_000, signedAtMs: at })
  })

  it('leaves out a date that is not YYYYMMDDTHHMMSSZ or names no real instant', () => {
    for (const date of [
      '2026-12-07T13:45:09Z',
      '20261307T134509Z',
      '20261207T134561Z',
      '20260230T000000Z',
      '',
    ]) {
      const token = tokenAt(0).replace(/X-Amz-Date=[^&]*/, `X-Amz-Date=${encodeURIComponent(date)}`)
      expect(readRdsToken(token)).toEqual({ lifetimeMs: 900_000 })
    }
  })

  it('reads the date of a token from the real @aws-sdk/rds-signer within the second the mint ran', async () => {
    const signer = new Signer({
      hostname: HOST,
      port: 5432,
      username: 'app_user',
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: canary('rds-key') },
    })
    const before = Date.now()
    const facts = readRdsToken(await signer.getAuthToken())
    const after = Date.now()
    expect(facts?.lifetimeMs).toBe(900_000)
    expect(facts?.signedAtMs).toBeGreaterThan(before - 1000)
    expect(facts?.signedAtMs).toBeLessThanOrEqual(after)
    expect((facts?.signedAtMs as number) % 1000).toBe(0)
  })
})

describe('RdsIamAuthSource ttl from the token date', () => {
  it('counts from X-Amz-Date when the signer dated the token before the mint started (a skew-corrected clock)', async () => {
    const signedAt = Date.now() - 30_000
    const source = new RdsIamAuthSource({
      hostname: HOST,
      port: 5432,
      username: 'app_user',
      signer: { getAuthToken: async () => tokenAt(signedAt) },
    })
    const before = Date.now()
    const loaded = await source.load('db')
    // the token ends at signedAt + 900 s in RDS's eyes; less the 60 s margin, from the load (≥ before)
    const latest = Math.floor(signedAt / 1000) * 1000 + 900_000 - 60_000 - before
    expect(loaded.ttlMs).toBeLessThanOrEqual(latest)
    expect(loaded.ttlMs).toBeGreaterThan(latest - 2000)
  })

  it('counts from the start of the mint when the token is dated later (a signer clock ahead of ours)', async () => {
    const started = Date.now()
    const source = new RdsIamAuthSource({
      hostname: HOST,
      port: 5432,
      username: 'app_user',
      signer: { getAuthToken: async () => tokenAt(started + 120_000) },
    })
    const loaded = await source.load('db')
    expect(loaded.ttlMs).toBeLessThanOrEqual(900_000 - 60_000)
    expect(loaded.ttlMs).toBeGreaterThan(835_000)
  })
})
