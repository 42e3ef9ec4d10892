// What every feature's routes plugin receives from buildApp().
import type { AuthContext } from '../auth/context.js'
import type { Config } from '../config.js'
import type { resetPassword } from './password-reset/password-reset.js'

export interface FeatureOptions {
  readonly ctx: AuthContext
  readonly config: Config
  /** How the v1 routes call the domain when an adapter at the edge answers for another
   *  contract (src/transport/compat-course); absent: the domain's defaults. */
  readonly v1?: V1Choices
}

/** The domain options a v1 route passes through as they are, without knowing why. */
export interface V1Choices {
  /** PUT /reset_password. */
  readonly resetPassword?: Parameters<typeof resetPassword>[3]
}
