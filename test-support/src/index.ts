export { ensureBuilt, typeErrors } from './build.js'
export { assertNoCanary, CANARY_MARK, canary } from './canary.js'
export { type QueryLoad, queryLoad, sqlLiteral } from './load.js'
export { printed, rejectionOf, thrownBy } from './outcomes.js'
