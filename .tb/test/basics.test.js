import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rawRequest, request, startServer } from './support/server.js';
describe('transport', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(async () => { await server.close(); });
    it('GET / answers Bienvenue as JSON', async () => {
        const reply = await request(server, 'GET', '/');
        assert.equal(reply.status, 200);
        assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.deepEqual(reply.body, { message: 'Bienvenue' });
    });
    it('an unknown route is a JSON 404', async () => {
        const reply = await request(server, 'GET', '/nope');
        assert.equal(reply.status, 404);
        assert.equal(reply.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.deepEqual(reply.body, { message: 'not found', code: 'not_found' });
    });
    it('a known path with another method is a JSON 404', async () => {
        const reply = await request(server, 'PATCH', '/users/1', { email: 'a@b.co' });
        assert.equal(reply.status, 404);
        assert.deepEqual(reply.body, { message: 'not found', code: 'not_found' });
    });
    it('malformed JSON is a 400 that says so', async () => {
        const reply = await rawRequest(server, 'POST', '/users', '{"email": "a@b.co", ', { 'content-type': 'application/json' });
        assert.equal(reply.status, 400);
        assert.deepEqual(reply.body, { message: 'request body is not valid JSON', code: 'bad_request' });
    });
    it('an empty JSON body is a 400, not a 500', async () => {
        const reply = await rawRequest(server, 'POST', '/sessions', '', { 'content-type': 'application/json' });
        assert.equal(reply.status, 400);
        assert.equal(typeof reply.body.message, 'string');
    });
    it('a JSON body that is not an object is a 400', async () => {
        for (const payload of ['[1,2]', '"text"', '42', 'null', 'true']) {
            const reply = await rawRequest(server, 'POST', '/users', payload, { 'content-type': 'application/json' });
            assert.equal(reply.status, 400, payload);
            assert.equal(typeof reply.body.message, 'string', payload);
        }
    });
    it('an unsupported content type is a 415 with a JSON message', async () => {
        const reply = await rawRequest(server, 'POST', '/users', 'email=a@b.co', { 'content-type': 'text/plain' });
        assert.equal(reply.status, 415);
        assert.match(reply.body.message, /application\/json/);
    });
    it('a body over 64 KiB is a 413 with a JSON message', async () => {
        const big = JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(70 * 1024) });
        const reply = await rawRequest(server, 'POST', '/users', big, { 'content-type': 'application/json' });
        assert.equal(reply.status, 413);
        assert.match(reply.body.message, /too large/);
        const form = await rawRequest(server, 'POST', '/users', `email=a@b.co&password=${'x'.repeat(70 * 1024)}`, { 'content-type': 'application/x-www-form-urlencoded' });
        assert.equal(form.status, 413);
        assert.match(form.body.message, /too large/);
    });
    it('a malformed URL is a JSON 400', async () => {
        const reply = await rawRequest(server, 'GET', '/users/%E0%A4%A', undefined);
        assert.equal(reply.status, 400);
        assert.equal(typeof reply.body.message, 'string');
    });
    it('replies are not cacheable and carry no framework banner', async () => {
        const reply = await request(server, 'GET', '/');
        assert.equal(reply.headers.get('cache-control'), 'no-store');
        assert.equal(reply.headers.get('x-powered-by'), null);
        assert.equal(reply.headers.get('server'), null);
    });
    it('a POST without a body names the missing field', async () => {
        const reply = await rawRequest(server, 'POST', '/sessions', undefined);
        assert.equal(reply.status, 400);
        assert.deepEqual(reply.body, { message: 'email is required', code: 'invalid_field' });
    });
});
