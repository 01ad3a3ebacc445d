/**
 * Errors the emulator answers with, in the Parameter Store wire format (awsJson1_1): HTTP 400
 * (500 for InternalServerError) and a body `{"__type":"<Code>","message":"<text>"}`. Parameter
 * Store's error shapes name their text member `message` (lower case), and `ParameterNotFound`
 * comes without any text at all. See docs/wire-facts.md.
 */
import { AwsJsonError, commonErrors } from '../shared/aws-json.js'

/** An error the emulated service returns. Helper methods on the emulator throw it too. */
export class ParameterStoreEmulatorError extends AwsJsonError {
  /** The JSON error body, exactly as sent (no `message` member when the text is empty). */
  toWire(): { __type: string; message?: string } {
    return this.message === '' ? { __type: this.type } : { __type: this.type, message: this.message }
  }
}

const error = (type: string, message: string, status = 400) =>
  new ParameterStoreEmulatorError(type, message, status)

export const parameterNotFound = () => error('ParameterNotFound', '')

export const versionNotFound = (name: string, selector: string) =>
  error(
    'ParameterVersionNotFound',
    `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
  )

export const alreadyExists = () =>
  error(
    'ParameterAlreadyExists',
    'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
  )

export const maxVersions = (name: string, oldest: number) =>
  error(
    'ParameterMaxVersionLimitExceeded',
    `${name} already has 100 versions, and its oldest version (${oldest}) has a label, so it cannot be dropped to make room. Move the label to a newer version and try again.`,
  )

export const labelLimit = () =>
  error(
    'ParameterVersionLabelLimitExceeded',
    'A parameter version can have at most 10 labels. Move one or more labels to another version and try again.',
  )

export const hierarchyLevels = () =>
  error('HierarchyLevelLimitExceededException', 'A parameter hierarchy can have at most 15 levels.')

export const typeMismatch = () =>
  error(
    'HierarchyTypeMismatchException',
    'The type of an existing parameter cannot be changed. Create a parameter with a new name instead.',
  )

export const reservedName = (name: string) =>
  error('AccessDeniedException', `No access to reserved parameter name: ${name}.`)

export const invalidNextToken = () => error('InvalidNextToken', 'The specified token is not valid.')

export const { constraint, unknownOperation, serialization, requestTooLarge, incompleteSignature } =
  commonErrors(error)

/** A request the service refuses in its validation layer. */
export const validationError = (message: string) => error('ValidationException', message)

export const badSelector = () =>
  validationError(
    'Invalid parameter name. Please use correct syntax for referencing a version/label <name>:<version/label>',
  )

export const needsDecryption = () =>
  validationError('WithDecryption flag must be True for retrieving a Secret Manager secret.')

export const INTERNAL_ERROR = {
  __type: 'InternalServerError',
  message: 'An error occurred on the server side.',
}
