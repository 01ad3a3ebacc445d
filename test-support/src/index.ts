export { ensureBuilt, typeErrors } from './build.js'
export { assertNoCanary, CANARY_MARK, canary } from './canary.js'
export {
  type EmulatorHooksOptions,
  emulatorHooks,
  type HookedEmulator,
  steadyCacheOptions,
} from './emulator-hooks.js'
export {
  failingEntry,
  flakyLoads,
  freshEntry,
  HEALTH_START,
  type HealthReportScenarioOptions,
  healthProviderOptions,
  healthReportScenario,
  reportRows,
  staleEntry,
} from './health.js'
export { type QueryLoad, queryLoad, sqlLiteral } from './load.js'
export { CapturingLogger, capturingLogger, type LoggedLine } from './logger.js'
export { printed, rejectionOf, thrownBy } from './outcomes.js'
export { type LoginClient, loginOutcome } from './postgres.js'
export { type NodeRun, runNode } from './process.js'
export { type SeededRandom, seededRandom } from './random.js'
export { keepErrors, liedToCacheOptions, refreshFailure } from './refresh-failure.js'
export {
  type HookedPostgres,
  type PoolConnection,
  type RotatingPoolScenarioOptions,
  rotatingPoolHooks,
  rotatingPoolScenario,
  type ScenarioPool,
  type ScenarioProvider,
} from './rotation.js'
