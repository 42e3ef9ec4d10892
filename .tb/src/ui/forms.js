// A domain refusal as a form shows it: which field it belongs to, worded in the page's
// language, and the status the JSON API would answer (classifyError, over the one table
// of error-codes.ts).
import { AuthError } from '../auth/errors.js';
import { classifyError } from '../http/errors.js';
import { isMessageKey, translate } from '../i18n/catalogue.js';
/**
 * The failure of `form` for a domain error; anything that is not an AuthError is thrown
 * on to the pages' error handler. `fields` names the input an error code belongs to
 * (INVALID_CREDENTIALS → password); a rule the domain names (error.issue) goes to its field.
 */
export function formFailure(error, language, form, fields = {}) {
    if (!(error instanceof AuthError))
        throw error;
    const { issue } = error;
    const field = issue?.field ?? fields[error.code];
    let message;
    if (issue !== undefined && isMessageKey(`issue.${issue.rule}`)) {
        const label = isMessageKey(`field.${issue.field}`) ? translate(language, `field.${issue.field}`).toLowerCase() : issue.field;
        message = translate(language, `issue.${issue.rule}`, { ...issue.values, field: label });
    }
    else if (error.code === 'INVALID_FIELD') {
        // A rule without words of its own: the domain's English, which names the field.
        message = language === 'en' ? error.message : translate(language, 'error.INVALID_FIELD');
    }
    else {
        message = translate(language, `error.${error.code}`, { seconds: error.retryAfterSeconds ?? 1 });
    }
    const { status, retryAfterSeconds } = classifyError(error);
    return { status, retryAfterSeconds, errors: [{ form, field, message }] };
}
/** Re-renders the page of a failed form with its errors and the API's status. */
export function sendFailure(pages, reply, name, context, failure, data) {
    if (failure.retryAfterSeconds !== undefined)
        void reply.header('retry-after', String(failure.retryAfterSeconds));
    return pages.send(reply, name, context, { ...data, errors: failure.errors }, failure.status);
}
/**
 * Every required field of `form` left empty, each with its own error on its input ("Enter
 * your password."), so an empty form flags them all at once, not only the first the
 * domain checks; null when each has a value. `fields` maps an input's name to its label
 * (field.…), or to its whole message (issue.…) where "Enter your <label>" reads badly.
 * A password of spaces is a value (passwords are never trimmed); other inputs are trimmed.
 */
export function missingFields(language, form, body, fields) {
    const errors = [];
    for (const [field, label] of Object.entries(fields)) {
        const value = body[field];
        const empty = typeof value !== 'string' || (field.includes('password') ? value === '' : value.trim() === '');
        if (!empty)
            continue;
        const message = label.startsWith('issue.') ? translate(language, label) : translate(language, 'issue.required', { field: translate(language, label).toLowerCase() });
        errors.push({ form, field, message });
    }
    return errors.length === 0 ? null : { status: 400, errors };
}
