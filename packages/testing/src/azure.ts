/**
 * `@latchkey/testing/azure`: the Azure Key Vault emulator only (HTTPS with a test certificate).
 *
 * @packageDocumentation
 */
export * from './key-vault/index.js'
