/**
 * Errors the emulator answers with, in the Secrets Manager wire format (docs/wire-facts.md#secrets-manager-errors-on-the-wire): HTTP 400
 * (or 500 for InternalServiceError) and a body `{"__type":"<Code>","Message":"<text>"}`.
 */

/** An error the emulated service returns. Helper methods on the emulator throw it too. */
export class SecretsManagerEmulatorError extends Error {
  /** The `__type` on the wire, such as `'ResourceNotFoundException'`. */
  readonly type: string
  /** The HTTP status the emulator answers with. */
  readonly status: number

  constructor(type: string, message: string, status = 400) {
    super(message)
    this.type = type
    this.status = status
  }

  override get name(): string {
    return this.type
  }

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

/** A constraint violation in the request shape, worded like AWS's validation layer. */
export const validation = (member: string, constraint: string) =>
  error(
    'ValidationException',
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`,
  )

export const unknownOperation = () => error('UnknownOperationException', '')

export const serialization = (message: string) => error('SerializationException', message)

/**
 * A request body over the size limit. AWS lists this among the errors every service can return:
 * HTTP 413, "The request entity is too large." See docs/wire-facts.md.
 */
export const requestTooLarge = () =>
  error('RequestEntityTooLargeException', 'The request entity is too large.', 413)

/** An `Authorization` header without a SigV4 credential scope (AWS common error, HTTP 400). */
export const incompleteSignature = () =>
  error(
    'IncompleteSignatureException',
    "Authorization header requires 'Credential' parameter. The request signature does not conform to AWS standards.",
  )
