import { randomBytes } from 'node:crypto'
import { Signer } from '@aws-sdk/rds-signer'
import type { RdsAuthTokenSigner } from '@latchkey/aws'
import type { RunningPostgres } from '@latchkey/testing'
import { IAM_USER, quoteLiteral } from './infra.js'

/** The demo playing RDS: a signer whose every token is the one password the role accepts, until it expires. */
export interface CloudSigner extends RdsAuthTokenSigner {
  /** When each token was minted and when the database stops accepting it (epoch ms). */
  readonly minted: ReadonlyArray<{ at: number; expiresAt: number }>
}

/**
 * A signer for `RdsIamAuthSource({ signer })`: each token is presigned by the real `Signer` from
 * `@aws-sdk/rds-signer` (local SigV4 with static fake credentials, no network), its
 * `X-Amz-Expires` cut from 900 s to `lifetimeSeconds`, and — the part RDS does in the cloud — the
 * role's password is set to the token with `VALID UNTIL` its expiry, so PostgreSQL refuses a login
 * with any other token, or with this one once it has expired. Every token goes into `allValues`
 * for the leak check.
 */
export function cloudSigner(
  db: RunningPostgres,
  lifetimeSeconds: number,
  allValues: Set<string>,
): CloudSigner {
  const minted: Array<{ at: number; expiresAt: number }> = []
  const secretAccessKey = `fake-secret-${randomBytes(12).toString('hex')}`
  allValues.add(secretAccessKey)
  return {
    minted,
    async getAuthToken() {
      // A session token per mint, as an assumed role's credentials would have: two tokens signed
      // within one second (SigV4 dates have whole seconds) still differ.
      const signer = new Signer({
        hostname: db.host,
        port: db.port,
        username: IAM_USER,
        region: 'us-east-1',
        credentials: {
          accessKeyId: 'ASIADEMOEXAMPLE',
          secretAccessKey,
          sessionToken: `demo-session-${minted.length}`,
        },
      })
      const token = (await signer.getAuthToken()).replace(
        'X-Amz-Expires=900',
        `X-Amz-Expires=${lifetimeSeconds}`,
      )
      allValues.add(token)
      const at = Date.now()
      // RDS counts a token's life from its X-Amz-Date (whole seconds), not from when it was minted
      const expiresAt = signedAt(token) + lifetimeSeconds * 1_000
      await db.query(
        `ALTER ROLE ${IAM_USER} PASSWORD ${quoteLiteral(token)} VALID UNTIL ${quoteLiteral(new Date(expiresAt).toISOString())}`,
      )
      minted.push({ at, expiresAt })
      return token
    },
  }
}

/** A token's `X-Amz-Date` (`YYYYMMDDTHHMMSSZ`) as epoch milliseconds. */
function signedAt(token: string): number {
  const date = new URLSearchParams(token.slice(token.indexOf('/?') + 2)).get('X-Amz-Date') ?? ''
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date)
  if (m === null) throw new Error('the signer returned a token without X-Amz-Date')
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  return Date.UTC(y, mo - 1, d, h, mi, sec)
}
