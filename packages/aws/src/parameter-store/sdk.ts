import { InvalidOptionsError } from '@latchkey/core'

/** The parts of `@aws-sdk/client-ssm` the source uses. */
export type SsmModule = Pick<
  typeof import('@aws-sdk/client-ssm'),
  'SSMClient' | 'GetParameterCommand' | 'GetParametersCommand' | 'GetParametersByPathCommand'
>

/** Loads a module by specifier; the source's tests replace it to simulate a missing package. */
export type ModuleLoader = () => Promise<SsmModule>

/** `import('@aws-sdk/client-ssm')`: the optional peer is loaded only when a Parameter Store source first loads. */
export const importSsm: ModuleLoader = () => import('@aws-sdk/client-ssm')

/**
 * Loads `@aws-sdk/client-ssm`, or throws `InvalidOptionsError` (`ERR_SECRET_INVALID_OPTIONS`,
 * permanent) saying how to install it, with the import error as `cause`.
 */
export async function loadSsm(load: ModuleLoader): Promise<SsmModule> {
  try {
    const sdk = await load()
    if (typeof sdk?.GetParameterCommand !== 'function' || typeof sdk.SSMClient !== 'function') {
      throw new TypeError('the module does not export SSMClient and GetParameterCommand')
    }
    return sdk
  } catch (error) {
    throw new InvalidOptionsError(
      'AwsParameterStoreSource needs the optional peer dependency @aws-sdk/client-ssm (3.x): install it with `npm install @aws-sdk/client-ssm` (or pnpm add / yarn add)',
      { source: 'aws-parameter-store', cause: error },
    )
  }
}
