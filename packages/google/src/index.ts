export {
  type CloudSqlAuth,
  type CloudSqlAuthClient,
  CloudSqlIamAuthSource,
  type CloudSqlIamAuthSourceOptions,
  SQL_LOGIN_SCOPE,
} from './cloud-sql-iam-source.js'
export { crc32c } from './crc32c.js'
export { type GoogleErrorContext, toGoogleSecretError } from './errors.js'
export { fromSecretId, SECRET_ID_PATTERN, toSecretId } from './names.js'
export type { GoogleSecretManagerSourceOptions, SecretManagerClientOptions } from './options.js'
export { GoogleSecretManagerSource } from './source.js'
