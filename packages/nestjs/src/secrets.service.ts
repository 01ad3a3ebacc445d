import type { CachedSecretProvider, SecretEvents, SecretHandle, SecretInfo } from '@latchkey/core'

/**
 * The injectable face of the module's provider: everything an app does with secrets at runtime.
 * `CachedSecretProvider` itself is injectable too, for code that wants the whole API.
 */
export class SecretsService {
  /** The provider every call goes to. */
  readonly provider: CachedSecretProvider

  constructor(provider: CachedSecretProvider) {
    this.provider = provider
  }

  /** The secret's current value; `'db/creds#password'` selects a field of a JSON secret. */
  getSecret(name: string): Promise<string> {
    return this.provider.getSecret(name)
  }

  /** The secret parsed as JSON. */
  getJson<T = unknown>(name: string): Promise<T> {
    return this.provider.getJson<T>(name)
  }

  /** A live handle whose `reveal()` follows rotations (the same one `@Secret(name)` injects). */
  handle(name: string): SecretHandle {
    return this.provider.handle(name)
  }

  /** Reloads a secret now (for example after "password authentication failed"); rate-limited per name. */
  refresh(name: string): Promise<void> {
    return this.provider.refresh(name)
  }

  /** Version and timing of a cached secret, never its value. */
  describe(name: string): SecretInfo | undefined {
    return this.provider.describe(name)
  }

  /** Subscribes to `'rotate'`, `'refresh'`, `'stale'` or `'error'`; returns the unsubscribe function. */
  on<K extends keyof SecretEvents>(event: K, listener: (payload: SecretEvents[K]) => void): () => void {
    return this.provider.on(event, listener)
  }
}
