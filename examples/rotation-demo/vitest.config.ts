import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('rotation-demo', { test: { testTimeout: 120_000 } })
