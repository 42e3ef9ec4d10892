// NIST SP 800-63B length rules, no composition rules, a common-password list.
import { createRequire } from 'node:module';
import { invalidField } from './errors.js';
import { normalizePassword } from './password-forms.js';
// 49,000 passwords from breach corpora, maintained by the zxcvbn-ts project; all lower
// case. Loaded at the first check, not at start-up: the package holds other word lists too.
const require = createRequire(import.meta.url);
let commonPasswords;
function isCommonPassword(password) {
    commonPasswords ??= new Set(require('@zxcvbn-ts/language-common').dictionary['passwords-common']);
    return commonPasswords.has(password.toLowerCase());
}
/** Throws INVALID_FIELD naming `field` and the rule when the password is not acceptable. */
export function checkPasswordPolicy(policy, password, email, field = 'password') {
    // The rules see what is hashed: the NFKC form (fullwidth "ｐａｓｓｗｏｒｄ" is "password").
    const normalized = normalizePassword(password);
    // Length in code points, typed and normalized, whichever is shorter: one typed "ﷺ"
    // expands to 18 under NFKC but is one character to type, and "é" typed as e + accent
    // is one character, not two.
    // oxlint-disable-next-line typescript/no-misused-spread -- code points are what is counted (see above), not graphemes
    const length = Math.min([...password].length, [...normalized].length);
    if (length < policy.minLength)
        throw invalidField(`${field} must be at least ${policy.minLength} characters`, { field, rule: 'too_short', values: { min: policy.minLength } });
    if (length > policy.maxLength)
        throw invalidField(`${field} must be at most ${policy.maxLength} characters`, { field, rule: 'too_long', values: { max: policy.maxLength } });
    if (!policy.blockCommon)
        return;
    const lowered = normalized.toLowerCase();
    const localPart = email.slice(0, email.lastIndexOf('@'));
    if (lowered === email || (localPart !== '' && lowered === localPart)) {
        throw invalidField(`${field} must not be your email address`, { field, rule: 'is_email' });
    }
    if (isCommonPassword(lowered))
        throw invalidField(`${field} is too common; choose a less predictable one`, { field, rule: 'too_common' });
}
