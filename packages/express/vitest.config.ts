import { latchkeyProject } from '../../vitest.shared.js'

export default latchkeyProject('express', {
  test: { typecheck: { enabled: true, tsconfig: './tsconfig.json' } },
})
