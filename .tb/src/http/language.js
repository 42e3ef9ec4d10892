// The language a request prefers among those the service speaks, from its
// Accept-Language header (RFC 9110 §12.5.4, negotiated by `negotiator`).
import Negotiator from 'negotiator';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES } from '../i18n/languages.js';
export function languageOf(request) {
    const header = request.headers['accept-language'];
    if (header === undefined)
        return DEFAULT_LANGUAGE;
    const best = new Negotiator({ headers: { 'accept-language': header } }).language([...LANGUAGES]);
    return best !== undefined && isLanguage(best) ? best : DEFAULT_LANGUAGE;
}
