import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('pg', {
  test: { globalSetup: ['./src/postgres.global-setup.ts'] },
})
