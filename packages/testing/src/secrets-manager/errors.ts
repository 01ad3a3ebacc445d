/**
 * Errors the emulator answers with, in the Secrets Manager wire format (docs/wire-facts.md#secrets-manager-errors-on-the-wire): HTTP 400
 * (or 500 for InternalServiceError) and a body `{"__type":"<Code>","Message":"<text>"}`.
 */
import { AwsJsonError, commonErrors } from '../shared/aws-json.js'

/** An error the emulated service returns. Helper methods on the emulator throw it too. */
export class SecretsManagerEmulatorError extends AwsJsonError {
  /** The JSON error body, exactly as sent. */
  toWire(): { __type: string; Message: string } {
    return { __type: this.type, Message: this.message }
  }
}

const error = (type: string, message: string, status = 400) =>
  new SecretsManagerEmulatorError(type, message, status)

export const secretNotFound = () =>
  error('ResourceNotFoundException', "Secrets Manager can't find the specified secret.")

export const stageNotFound = (stage: string) =>
  error(
    'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
  )

export const versionNotFound = (versionId: string) =>
  error(
    'ResourceNotFoundException',
    `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
  )

export const markedForDeletion = () =>
  error(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  )

export const invalidParameter = (message: string) => error('InvalidParameterException', message)

export const invalidRequest = (message: string) => error('InvalidRequestException', message)

export const resourceExists = (message: string) => error('ResourceExistsException', message)

export const limitExceeded = (message: string) => error('LimitExceededException', message)

export const invalidNextToken = () => error('InvalidNextTokenException', 'The NextToken value is invalid.')

export const {
  constraint: validation,
  unknownOperation,
  serialization,
  requestTooLarge,
  incompleteSignature,
} = commonErrors(error)
