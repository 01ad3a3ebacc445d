/** The RDS IAM auth stand-in for this package's tests (see `front.ts`). */
export {
  type FrontRefusals,
  type FrontSession,
  type RdsIamFront,
  type RdsIamFrontOptions,
  startRdsIamFront,
} from './front.js'
export { IamTokenBook, type IssuedToken, type TokenVerdict } from './tokens.js'
