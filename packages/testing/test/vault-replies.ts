/** Helpers for the Vault emulator's tests: what a node-vault call that Vault refused answered. */

/** The status and `errors` of a refused node-vault call (node-vault rejects with `response: { statusCode, body }`). */
export interface Refusal {
  status: number | undefined
  errors: unknown
}

/** The refusal `promise` ends in; a failure when it resolves. */
export async function refusal(promise: Promise<unknown>): Promise<Refusal> {
  const error = await promise.then(
    () => {
      throw new Error('expected Vault to refuse the call, but it answered 2xx')
    },
    (e: unknown) => e,
  )
  const response = (error as { response?: { statusCode?: number; body?: { errors?: unknown } } }).response
  return { status: response?.statusCode, errors: response?.body?.errors }
}
