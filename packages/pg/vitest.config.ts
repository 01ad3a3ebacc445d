import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('pg', {
  test: { globalSetup: ['./test/postgres.global-setup.ts'] },
})
