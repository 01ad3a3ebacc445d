export * from './postgres.js'
export * from './secrets-manager/index.js'
export * from './vault/index.js'
