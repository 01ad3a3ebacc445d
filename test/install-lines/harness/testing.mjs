// testing: the README example as it is (it starts PostgreSQL and two emulators and stops them).
import { check, runExample } from './lib.mjs'

const { code, out } = await runExample({}, 90_000)
check(code === 0, `the example exited 0 (it exited ${code})`)
check(!/Error/.test(out), 'the example printed no error')
