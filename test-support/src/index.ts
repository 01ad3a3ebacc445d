export { ensureBuilt, typeErrors } from './build.js'
export { assertNoCanary, CANARY_MARK, canary } from './canary.js'
export { printed, rejectionOf } from './outcomes.js'
