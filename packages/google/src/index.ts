export {
  type CloudSqlAuth,
  type CloudSqlAuthClient,
  CloudSqlIamAuthSource,
  type CloudSqlIamAuthSourceOptions,
  SQL_LOGIN_SCOPE,
} from './cloud-sql/source.js'
export { type GoogleErrorContext, toGoogleSecretError } from './errors.js'
export { crc32c } from './google-secret-manager/crc32c.js'
export { fromSecretId, SECRET_ID_PATTERN, toSecretId } from './google-secret-manager/names.js'
export type {
  GoogleSecretManagerSourceOptions,
  SecretManagerClientOptions,
} from './google-secret-manager/options.js'
export { GoogleSecretManagerSource } from './google-secret-manager/source.js'
