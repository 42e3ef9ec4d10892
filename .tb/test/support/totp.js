// TOTP codes in tests, computed with otpauth as an authenticator app would.
import { sleep } from './server.js';
export const STEP_MS = 30_000;
/** Waits when the current 30-second step is about to end, so "now ± 1 step" means the same here and on the server. */
export async function freshStep() {
    const into = Date.now() % STEP_MS;
    if (into > STEP_MS - 3000)
        await sleep(STEP_MS - into + 200);
}
