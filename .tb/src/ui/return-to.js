// ?return_to= after sign-in: a path on this service, or a URL on the origin of PUBLIC_URL
// or of TRUSTED_ORIGINS. Anything else (another host, another scheme, `//host`, `/\host`,
// credentials in the URL, control characters) is refused, never followed: an open
// redirect would turn the sign-in page into a phishing relay.
export function createReturnToCheck(origins) {
    const allowed = new Set(origins);
    return function checkReturnTo(raw) {
        if (raw === undefined || raw === '')
            return { ok: true, url: undefined };
        // oxlint-disable-next-line no-control-regex -- control characters are what it refuses
        if (raw.length > 2048 || /[\u0000-\u001f\u007f\\]/.test(raw))
            return { ok: false };
        if (raw.startsWith('/') && !raw.startsWith('//'))
            return { ok: true, url: raw };
        let url;
        try {
            url = new URL(raw);
        }
        catch {
            return { ok: false };
        }
        if (url.username !== '' || url.password !== '' || !allowed.has(url.origin))
            return { ok: false };
        return { ok: true, url: url.href };
    };
}
