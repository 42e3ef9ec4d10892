export class PageClient {
    server;
    origin;
    cookies = new Map();
    /** `origin`: the Origin its posts carry; the server's PUBLIC_URL by default (a browser on its pages). */
    constructor(server, origin = new URL(server.config.publicUrl).origin) {
        this.server = server;
        this.origin = origin;
    }
    remember(headers) {
        for (const line of headers.getSetCookie()) {
            const [pair = ''] = line.split(';');
            const at = pair.indexOf('=');
            const name = pair.slice(0, at);
            const value = pair.slice(at + 1);
            if (/max-age=0/i.test(line) || value === '')
                this.cookies.delete(name);
            else
                this.cookies.set(name, value);
        }
    }
    cookieHeader() {
        return this.cookies.size === 0 ? {} : { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') };
    }
    async get(path, headers = {}) {
        const response = await fetch(this.server.url + path, { headers: { ...this.cookieHeader(), ...headers }, redirect: 'manual' });
        this.remember(response.headers);
        return { status: response.status, headers: response.headers, html: await response.text(), location: response.headers.get('location') };
    }
    /** Posts `fields` to `action`; the form token comes from `tokenFrom` (a page's HTML) unless given in fields. */
    async post(action, fields, options = {}) {
        const body = new URLSearchParams(fields);
        if (options.tokenFrom !== undefined && !body.has('_csrf'))
            body.set('_csrf', formTokenOf(options.tokenFrom.html));
        const response = await fetch(this.server.url + action, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...(this.origin === null ? {} : { origin: this.origin }), ...this.cookieHeader(), ...options.headers },
            body: body.toString(),
            redirect: 'manual'
        });
        this.remember(response.headers);
        return { status: response.status, headers: response.headers, html: await response.text(), location: response.headers.get('location') };
    }
    /** GETs the page of a form, then posts it with that page's token. */
    async submit(pagePath, action, fields) {
        const page = await this.get(pagePath);
        if (page.status !== 200)
            throw new Error(`GET ${pagePath} answered ${page.status}`);
        return await this.post(action, fields, { tokenFrom: page });
    }
}
export function formTokenOf(html) {
    const match = /name="_csrf" value="([^"]+)"/.exec(html);
    if (match?.[1] === undefined)
        throw new Error('no form token on the page');
    return match[1];
}
/** The value of an attribute of the element with this id. */
export function attributeOf(html, id, attribute) {
    const element = new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
    if (element === undefined)
        return undefined;
    return new RegExp(`\\b${attribute}(?:="([^"]*)")?`).exec(element)?.[1] ?? (new RegExp(`\\b${attribute}\\b`).test(element) ? '' : undefined);
}
