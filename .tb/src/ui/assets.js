// The pages' static files, served from this origin only: the stylesheet, the icon, the
// passkey script and @simplewebauthn/browser's bundle (which it uses). Each is read once at
// start and served under /ui/assets/<name>?v=<hash of its content>, cached for a year
// (immutable); a URL with another version is served uncached. GET /favicon.ico, which
// browsers ask for on any page without an icon link (the JSON API's, /docs), gets the same
// icon, cached for a day and not logged: a 404 there would be an error line per visit.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UI_TEMPLATES } from './render.js';
const require = createRequire(import.meta.url);
const ASSETS = {
    stylesheet: { name: 'style.css', type: 'text/css; charset=utf-8', file: () => path.join(UI_TEMPLATES, 'style.css') },
    favicon: { name: 'favicon.svg', type: 'image/svg+xml', file: () => path.join(UI_TEMPLATES, 'favicon.svg') },
    passkeysScript: { name: 'passkeys.js', type: 'text/javascript; charset=utf-8', file: () => path.join(UI_TEMPLATES, 'passkeys.js') },
    webauthnScript: { name: 'webauthn.js', type: 'text/javascript; charset=utf-8', file: () => path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist/bundle/index.umd.min.js') }
};
/** Registers the asset routes on the pages' context (prefix /ui); returns their versioned URLs. */
export function registerAssets(app) {
    const urls = {};
    for (const [key, asset] of Object.entries(ASSETS)) {
        const body = readFileSync(asset.file());
        const version = createHash('sha256').update(body).digest('base64url').slice(0, 12);
        app.get(`/assets/${asset.name}`, { schema: { hide: true }, config: { logRequest: false } }, async (request, reply) => {
            const { v } = request.query;
            return reply.type(asset.type)
                .header('cache-control', v === version ? 'public, max-age=31536000, immutable' : 'no-cache')
                .header('etag', `"${version}"`)
                .send(body);
        });
        urls[key] = `/ui/assets/${asset.name}?v=${version}`;
    }
    return urls;
}
/** GET /favicon.ico (registered outside /ui): the pages' icon. An SVG under that name is
 *  what browsers take from it (the type says what it is); its URL has no version, so it is
 *  cached for a day, not for good. */
export async function faviconRoute(app) {
    const body = readFileSync(ASSETS.favicon.file());
    app.get('/favicon.ico', { schema: { hide: true }, config: { logRequest: false } }, async (_request, reply) => {
        return reply.type(ASSETS.favicon.type).header('cache-control', 'public, max-age=86400').send(body);
    });
}
