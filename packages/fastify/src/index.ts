import { latchkey } from './plugin.js'

export { type LatchkeyFastifyOptions, latchkey } from './plugin.js'
export default latchkey
