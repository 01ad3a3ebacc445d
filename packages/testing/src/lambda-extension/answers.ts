import type {
  LambdaExtensionCustomFault,
  LambdaExtensionFaultKind,
  LambdaExtensionOperation,
} from './faults.js'

/** One complete answer. */
export interface ExtensionReply {
  status: number
  contentType: string
  body: string
}

const TEXT = 'text/plain; charset=utf-8'

/** A text answer, the way the extension passes a service error on: `<ErrorName>: <message>`. */
export function textReply(status: number, body: string): ExtensionReply {
  return { status, contentType: TEXT, body }
}

/** The answer to a request without the right token. See docs/wire-facts.md. */
export const UNAUTHORIZED = textReply(
  401,
  'Unauthorized: missing or invalid X-Aws-Parameters-Secrets-Token header',
)

/** The answer before the extension is ready (the init phase). */
export const NOT_READY = textReply(400, 'The extension is not ready to serve traffic, please wait')

/** The answer for a secret or parameter that does not exist. */
export function notFoundReply(operation: LambdaExtensionOperation): ExtensionReply {
  return operation === 'GetSecretValue'
    ? textReply(400, "ResourceNotFoundException: Secrets Manager can't find the specified secret.")
    : textReply(400, 'ParameterNotFound: ')
}

/** What a failing fault answers instead of the call. */
export function faultReply(
  fault: LambdaExtensionFaultKind | LambdaExtensionCustomFault,
  operation: LambdaExtensionOperation,
): ExtensionReply {
  const action = operation === 'GetSecretValue' ? 'secretsmanager:GetSecretValue' : 'ssm:GetParameter'
  switch (fault) {
    case 'throttling':
      return textReply(400, 'ThrottlingException: Rate exceeded')
    case 'accessDenied':
      return textReply(
        400,
        `AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/emulator/fn is not authorized to perform: ${action}`,
      )
    case 'unauthorized':
      return UNAUTHORIZED
    case 'notReady':
      return NOT_READY
    case 'internal':
      return textReply(500, 'InternalServiceError: An error occurred on the server side.')
    case 'unavailable':
      return textReply(502, 'Bad Gateway')
    default:
      return {
        status: fault.status,
        contentType: fault.contentType ?? TEXT,
        body: fault.body ?? (fault.type === undefined ? '' : `${fault.type}: ${fault.message ?? ''}`),
      }
  }
}
