/**
 * SQLSTATEs PostgreSQL sends when it refuses a login. 28P01 (invalid_password) covers a wrong or
 * expired password and a dropped role; 28000 (invalid_authorization_specification) covers a role
 * that may not log in, such as a `NOLOGIN` role left behind by a revocation.
 */
export const AUTH_FAILURE_CODES: ReadonlySet<string> = new Set(['28P01', '28000'])

/** True for an error PostgreSQL raised because it refused the credentials of a new connection. */
export function isAuthFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && AUTH_FAILURE_CODES.has(code)
}
