import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('cli', { test: { testTimeout: 120_000 } })
