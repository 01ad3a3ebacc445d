import { InvalidOptionsError } from '@latchkey/core'
import type { AzureTokenCredential } from './options.js'

/** Imports `@azure/identity`; a parameter so the missing-package path can be tested. */
export type IdentityImporter = () => Promise<{ DefaultAzureCredential: new () => AzureTokenCredential }>

const importIdentity: IdentityImporter = () => import('@azure/identity')

function isMissingModule(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
}

/**
 * A `DefaultAzureCredential` from `@azure/identity`, imported on first use. When the package is
 * not installed this throws {@link InvalidOptionsError} (`ERR_SECRET_INVALID_OPTIONS`, permanent)
 * saying to install it or to pass `{ credential }`.
 */
export async function defaultCredential(
  importer: IdentityImporter = importIdentity,
): Promise<AzureTokenCredential> {
  let identity: Awaited<ReturnType<IdentityImporter>>
  try {
    identity = await importer()
  } catch (error) {
    if (!isMissingModule(error)) throw error
    throw new InvalidOptionsError(
      'AzureKeyVaultSource: no { credential } was given and @azure/identity is not installed; install it (npm install @azure/identity) to use DefaultAzureCredential, or pass any TokenCredential as { credential }',
      { cause: error },
    )
  }
  return new identity.DefaultAzureCredential()
}
