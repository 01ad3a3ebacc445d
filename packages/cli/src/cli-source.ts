import { InvalidOptionsError, type LoadedSecret, type SecretSource } from '@latchkey/core'

/** What the CLI needs of a configured source: the latchkey source, and a way to read the previous version. */
export interface CliSource {
  readonly source: SecretSource
  /**
   * The version before `current`, where the backend keeps one (Secrets Manager AWSPREVIOUS, Vault KV
   * v2 and Parameter Store and Google versions `n - 1`); `undefined` where it has none.
   */
  previous(name: string, current: LoadedSecret, signal: AbortSignal): Promise<LoadedSecret | undefined>
  /**
   * When the current value was created (ms since the epoch), where the backend says so with the
   * read permission alone: Secrets Manager's `CreatedDate`, Vault KV v2's `created_time`, a file's
   * modification time. `undefined` elsewhere or when the read fails.
   */
  createdAt(name: string, signal: AbortSignal): Promise<number | undefined>
  /**
   * The permission the service said was missing when it refused `name` (an identifier such as
   * `secretmanager.versions.access`), where the CLI reads it from the reply; `undefined` elsewhere.
   */
  deniedPermission?(name: string): string | undefined
  close(): Promise<void>
}

/** Imports a source package the app has installed (an optional peer), with a clear error when it is missing. */
export async function need<T>(specifier: string, load: () => Promise<T>, type: string): Promise<T> {
  try {
    return await load()
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new InvalidOptionsError(
        `sources of type "${type}" need ${specifier} and its SDK installed next to @latchkey/cli (npm install ${specifier})`,
        { cause: error },
      )
    }
    throw error
  }
}
