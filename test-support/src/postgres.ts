/** The parts of a PostgreSQL client {@link loginOutcome} uses (structural: this package imports no `pg`). */
export interface LoginClient {
  connect(): Promise<unknown>
  query(sql: string): Promise<unknown>
  end(): Promise<unknown>
}

/**
 * Connects `client`, runs `SELECT 1` and closes it: `true` when that worked, otherwise the error's
 * `code` as text (such as `'28P01'` for a wrong password). For tests of database credentials.
 */
export async function loginOutcome(client: LoginClient): Promise<true | string> {
  try {
    await client.connect()
    await client.query('SELECT 1')
    return true
  } catch (error) {
    return String((error as { code?: string }).code)
  } finally {
    await client.end().catch(() => undefined)
  }
}
