import { canary } from '@latchkey/test-support'

/** Why the front refused a token (it tells the client none of this, as RDS does not). */
export type TokenVerdict = 'valid' | 'expired' | 'unknown' | 'other-user'

/** One token the book issued. */
export interface IssuedToken {
  user: string
  issuedAt: number
  expiresAt: number
}

/**
 * The test's signer, playing the IAM side of RDS auth: it issues tokens (canary values) for a
 * user with a lifetime in milliseconds, and answers whether a token is one it issued, for that
 * user, not yet expired — every such token, not only the newest (a presigned token stays good
 * until its own expiry). Checking the book stands in for RDS checking the SigV4 signature.
 */
export class IamTokenBook {
  readonly #tokens = new Map<string, IssuedToken>()
  readonly #issued: IssuedToken[] = []

  constructor(readonly clock: () => number = Date.now) {}

  /** Every token issued so far, oldest first. */
  get issued(): readonly IssuedToken[] {
    return this.#issued
  }

  /** A new token for `user`, good for `lifetimeMs` from now. */
  issue(user: string, lifetimeMs: number): { token: string; expiresAt: number } {
    const issuedAt = this.clock()
    const entry = { user, issuedAt, expiresAt: issuedAt + lifetimeMs }
    const token = canary(`iam-${user}`)
    this.#tokens.set(token, entry)
    this.#issued.push(entry)
    return { token, expiresAt: entry.expiresAt }
  }

  check(user: string, token: string): TokenVerdict {
    const entry = this.#tokens.get(token)
    if (entry === undefined) return 'unknown'
    if (entry.user !== user) return 'other-user'
    return entry.expiresAt > this.clock() ? 'valid' : 'expired'
  }

  /** When `token` expires, if the book issued it. */
  expiresAt(token: string): number | undefined {
    return this.#tokens.get(token)?.expiresAt
  }
}
