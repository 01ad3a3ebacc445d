import { InvalidSecretNameError } from '@latchkey/core'

/**
 * A secret name as a Vault path below the mount: segments URL-encoded, leading and trailing `/`
 * dropped. Empty, `.` and `..` segments are refused so a name cannot leave its mount.
 */
export function vaultPath(name: string, source: string): string {
  const trimmed = name.replace(/^\/+|\/+$/g, '')
  const segments = trimmed.split('/')
  if (trimmed === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new InvalidSecretNameError(`"${name}" is not a usable Vault path (empty, "." or ".." segment)`, {
      secretName: name,
      source,
    })
  }
  return segments.map(encodeURIComponent).join('/')
}
