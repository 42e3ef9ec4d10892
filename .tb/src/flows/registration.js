import { findUserById, registerUser } from '../features/users/users.js';
import { completeSignIn } from './login/login.js';
export async function signUp(ctx, input, from, options = {}) {
    const user = await registerUser(ctx, input, from);
    if (ctx.config.verification.required)
        return { user, signIn: null };
    const account = await findUserById(ctx.db, user.id);
    // Deleted between the two statements (an operator): nothing to sign in to.
    if (account === undefined)
        return { user, signIn: null };
    return { user, signIn: await completeSignIn(ctx, { user: account, methods: ['password'] }, from, { returnTo: options.returnTo ?? null }) };
}
