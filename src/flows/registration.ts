// Signing up from the hosted pages: the account is made (features/users), and the password
// just set is the proof the one login flow turns into a session (flows/login), with its
// account rules, event and metric. A sign-up never makes a session itself. With
// REQUIRE_EMAIL_VERIFICATION on there is no sign-in: the address must be proven first, and
// the verification mail is already on its way. (POST /users keeps its v1 reply: it does
// not sign in.)
import type { AuthContext, PublicUser, Requester } from '../auth/context.js'
import type { Language } from '../i18n/languages.js'
import { findUserById, registerUser } from '../features/users/users.js'
import { completeSignIn, type SignInOutcome } from './login/login.js'

export interface SignUp {
  readonly user: PublicUser
  /** The sign-in that followed, or null when the address must be verified first. */
  readonly signIn: SignInOutcome | null
}

export async function signUp (ctx: AuthContext, input: { email: string, password: string, language: Language }, from: Requester, options: { returnTo?: string | null } = {}): Promise<SignUp> {
  const user = await registerUser(ctx, input, from)
  if (ctx.config.verification.required) return { user, signIn: null }
  const account = await findUserById(ctx.db, user.id)
  // Deleted between the two statements (an operator): nothing to sign in to.
  if (account === undefined) return { user, signIn: null }
  return { user, signIn: await completeSignIn(ctx, { user: account, methods: ['password'] }, from, { returnTo: options.returnTo ?? null }) }
}
