/** The canonical status codes the emulator answers with, and the HTTP status each maps to. */
export const HTTP_STATUS = {
  INVALID_ARGUMENT: 400,
  FAILED_PRECONDITION: 400,
  OUT_OF_RANGE: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  ABORTED: 409,
  RESOURCE_EXHAUSTED: 429,
  CANCELLED: 499,
  INTERNAL: 500,
  UNKNOWN: 500,
  DATA_LOSS: 500,
  UNIMPLEMENTED: 501,
  UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
} as const

/** A canonical status name such as `'NOT_FOUND'`. */
export type GoogleStatus = keyof typeof HTTP_STATUS

/** True for a canonical status name. */
export function isGoogleStatus(value: unknown): value is GoogleStatus {
  return typeof value === 'string' && Object.hasOwn(HTTP_STATUS, value)
}

/** The JSON error body Google REST APIs send: `{ error: { code, message, status } }`. */
export function errorBody(
  status: GoogleStatus,
  message: string,
  httpStatus: number = HTTP_STATUS[status],
): object {
  return { error: { code: httpStatus, message, status } }
}

/** An error the emulator answers as the service would. Its message never holds a payload. */
export class GoogleSecretManagerEmulatorError extends Error {
  readonly status: GoogleStatus
  constructor(status: GoogleStatus, message: string) {
    super(message)
    this.status = status
  }

  get httpStatus(): number {
    return HTTP_STATUS[this.status]
  }

  toWire(): object {
    return errorBody(this.status, this.message)
  }
}
