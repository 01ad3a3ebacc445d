import { latchkey } from './plugin.js'

export { type LatchkeyFastifyOptions, latchkey } from './plugin.js'
export type {
  ProviderLikeOptions,
  SecretHandleLike,
  SecretProviderLike,
  SecretRedactorLike,
} from './provider-like.js'
export default latchkey
