// What every feature's routes plugin receives from buildApp().
import type { AuthContext } from '../auth/context.js'
import type { Config } from '../config.js'

export interface FeatureOptions {
  readonly ctx: AuthContext
  readonly config: Config
}
