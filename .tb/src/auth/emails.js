import { invalidField } from './errors.js';
const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
// The WHATWG "valid e-mail address" grammar (what <input type=email> accepts): ASCII
// only, which also keeps CR, LF, NUL and other control characters out of mail headers.
const EMAIL_PATTERN = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** Trims and lower-cases an email for storage, lookup and replies; throws INVALID_FIELD. */
export function normalizeEmail(raw, field = 'email') {
    const email = raw.trim().toLowerCase();
    if (email === '')
        throw invalidField(`${field} must not be empty`, { field, rule: 'required' });
    if (email.length > MAX_EMAIL_LENGTH)
        throw invalidField(`${field} must be at most ${MAX_EMAIL_LENGTH} characters`, { field, rule: 'too_long', values: { max: MAX_EMAIL_LENGTH } });
    if (!EMAIL_PATTERN.test(email))
        throw invalidField(`${field} must be a valid email address`, { field, rule: 'not_email' });
    if (email.indexOf('@') > MAX_LOCAL_PART_LENGTH)
        throw invalidField(`${field} must have at most ${MAX_LOCAL_PART_LENGTH} characters before the @`, { field, rule: 'local_part_too_long', values: { max: MAX_LOCAL_PART_LENGTH } });
    return email;
}
