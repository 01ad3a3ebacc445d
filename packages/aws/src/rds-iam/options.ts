import { InvalidOptionsError } from '@latchkey/core'
import { checkTokenInteger, checkTokenOptions, checkTokenString } from '@latchkey/core/internal'

/** The part of `Signer` from `@aws-sdk/rds-signer` the source uses. */
export interface RdsAuthTokenSigner {
  /** Presigns one `connect` request and returns it as `host:port/?Action=connect&DBUser=…&X-Amz-…`. */
  getAuthToken(): Promise<string>
}

/** Options for {@link RdsIamAuthSource}. */
export interface RdsIamAuthSourceOptions {
  /** The database endpoint the token is for (the instance, cluster or proxy hostname). */
  hostname: string
  /** The database port. */
  port: number
  /** The database user, granted `rds_iam` (`GRANT rds_iam TO username`). */
  username: string
  /** AWS Region of a built signer. @default the SDK's region chain (`AWS_REGION`, shared config files) */
  region?: string
  /**
   * A signer you built (`new Signer({ hostname, port, username })` from `@aws-sdk/rds-signer`, or
   * anything with `getAuthToken()`). When set, `region` and `credentials` are not accepted.
   * @default a `Signer` from `@aws-sdk/rds-signer` (optional peer), built on first use with the SDK's default credential chain
   */
  signer?: RdsAuthTokenSigner
  /**
   * Credentials of a built signer. Leave unset in production so the SDK's default chain finds them
   * (IRSA, EKS Pod Identity, ECS task role, instance role).
   * @default the SDK's default credential chain
   */
  credentials?: unknown
  /**
   * How long before the token expires the cached value ends (the cache then refreshes ahead of
   * that). Never more than half the token's life is taken.
   * @default 60_000
   */
  expiryMarginMs?: number
}

const PREFIX = 'RdsIamAuthSource'
const KNOWN = ['hostname', 'port', 'username', 'region', 'signer', 'credentials', 'expiryMarginMs'] as const

/** Checks the options, throwing `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`) naming the option. */
export function checkRdsIamOptions(options: RdsIamAuthSourceOptions): void {
  const record = checkTokenOptions(PREFIX, options, KNOWN)
  checkTokenString(PREFIX, record, 'hostname', true)
  checkTokenInteger(PREFIX, record, 'port', true, 1, 65_535)
  checkTokenString(PREFIX, record, 'username', true)
  checkTokenString(PREFIX, record, 'region', false)
  checkTokenInteger(PREFIX, record, 'expiryMarginMs', false, 0, 3_600_000)
  const signer = record.signer as { getAuthToken?: unknown } | undefined
  if (signer === undefined) return
  if (typeof signer !== 'object' || signer === null || typeof signer.getAuthToken !== 'function') {
    throw new InvalidOptionsError(`${PREFIX}: { signer } must be an object with a getAuthToken() method`)
  }
  const extra = (['region', 'credentials'] as const).filter((key) => record[key] !== undefined)
  if (extra.length > 0) {
    throw new InvalidOptionsError(
      `${PREFIX}: { ${extra.join(', ')} } configure a signer the source builds; with { signer }, set them on your signer`,
    )
  }
}
