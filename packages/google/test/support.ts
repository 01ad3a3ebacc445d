/** Helpers for this package's tests: a source pointed at the emulator over the REST transport. */
import type { GoogleSecretManagerEmulator } from '@latchkey/testing'
import { OAuth2Client } from 'google-auth-library'
import type { GoogleSecretManagerSourceOptions } from '../src/google-secret-manager/options.js'
import { GoogleSecretManagerSource } from '../src/index.js'

/** An auth client holding a fixed access token: no metadata server, no token endpoint. */
export function tokenAuth(token: string): OAuth2Client {
  const auth = new OAuth2Client()
  auth.setCredentials({ access_token: token })
  return auth
}

/** A source whose built client talks REST to `emulator` with its token. */
export function emulatorSource(
  emulator: GoogleSecretManagerEmulator,
  options: Omit<GoogleSecretManagerSourceOptions, 'client'> = {},
): GoogleSecretManagerSource {
  return new GoogleSecretManagerSource({
    project: emulator.project,
    ...options,
    clientOptions: {
      ...emulator.clientOptions,
      authClient: tokenAuth(emulator.token),
      ...options.clientOptions,
    },
  })
}
