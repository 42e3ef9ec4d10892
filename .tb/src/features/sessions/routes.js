import { Type } from 'typebox';
import { requesterOf } from '../../http/client-address.js';
import { clearSessionCookie, sessionOf } from '../../http/plugins/session.js';
import { errors, MessageReply, ref, UserReply } from '../../http/schemas.js';
import { endSession, listUserSessions, revokeOtherSessions, revokeSession } from './sessions.js';
const SessionList = Type.Object({
    sessions: Type.Array(Type.Object({
        id: Type.String({ description: 'A public handle of the session: neither its token nor the token\'s hash. DELETE /account/sessions/{id} ends it.' }),
        created_at: Type.String({ description: 'When the sign-in made it (ISO 8601, UTC).' }),
        last_seen_at: Type.String({ description: 'When it was last used, to the minute (it is written at most once a minute).' }),
        expires_at: Type.String({ description: 'When it ends unless used again (idle expiry, never past the absolute expiry).' }),
        ip: Type.Union([Type.String(), Type.Null()], { description: 'The client address at sign-in.' }),
        user_agent: Type.Union([Type.String(), Type.Null()], { description: 'The User-Agent at sign-in.' }),
        methods: Type.Array(Type.String(), { description: 'How it was authenticated, in the order used: ["password"], ["password","totp"], ["password","recovery_code"], ["passkey"]; [] for a session older than this record.' }),
        authenticated_at: Type.String({ description: 'When it was last authenticated: its sign-in, or its latest POST /sessions/reauthenticate (ISO 8601, UTC).' }),
        current: Type.Boolean({ description: 'The session this request came with.' })
    }, { additionalProperties: false }))
}, { additionalProperties: false, description: 'The account\'s live sessions, newest first.' });
const SessionParams = Type.Object({ id: Type.String({ description: 'A session handle from GET /account/sessions.' }) });
const OthersRevoked = Type.Object({
    message: Type.String(),
    revoked: Type.Integer({ description: 'How many sessions ended.' })
}, { additionalProperties: false });
const iso = (time) => new Date(time).toISOString();
export const sessionRoutes = async (app, { ctx, config }) => {
    app.delete('/sessions', {
        config: { requireSession: true, sessionCookie: { action: 'clear' } },
        schema: {
            operationId: 'signOut',
            summary: 'Sign out',
            description: 'Ends the session presented and clears the cookie. `Prefer: return=minimal` gets 204; under COMPAT=course the answer is 302 to /.',
            tags: ['sessions'],
            response: { 200: ref(MessageReply, 'Signed out: {"message":"logged out"}.'), 204: Type.Null({ description: 'With Prefer: return=minimal' }), 302: Type.Null({ description: 'Under COMPAT=course: Location: /' }) }
        }
    }, async (request, reply) => {
        await endSession(ctx, sessionOf(request), requesterOf(request));
        clearSessionCookie(reply, config);
        // RFC 7240: a client that asks for a minimal answer gets 204 (seed 000's behaviour).
        if (/\breturn=minimal\b/i.test(String(request.headers.prefer ?? ''))) {
            return await reply.code(204).header('preference-applied', 'return=minimal').send(null);
        }
        return { message: 'logged out' };
    });
    app.get('/profile', {
        config: { requireSession: true },
        schema: { operationId: 'getProfile', summary: 'The signed-in user', tags: ['sessions'], response: { 200: ref(UserReply, 'The signed-in user.') } }
    }, async (request) => sessionOf(request).user);
    app.get('/account/sessions', {
        config: { requireSession: true },
        schema: { operationId: 'listAccountSessions', summary: 'The account\'s sessions (devices)', tags: ['account'], response: { 200: SessionList } }
    }, async (request) => {
        const sessions = await listUserSessions(ctx, sessionOf(request));
        return {
            sessions: sessions.map(session => ({
                id: session.handle,
                created_at: iso(session.createdAt),
                last_seen_at: iso(session.lastSeenAt),
                expires_at: iso(session.expiresAt),
                ip: session.ip,
                user_agent: session.userAgent,
                methods: [...session.methods],
                authenticated_at: iso(session.authenticatedAt),
                current: session.current
            }))
        };
    });
    app.delete('/account/sessions/:id', {
        config: { requireSession: true, sessionCookie: { action: 'clear', when: 'Only when the session ended is the one presented.' } },
        schema: {
            operationId: 'revokeAccountSession',
            summary: 'End one of the account\'s sessions',
            description: 'Signs that device out. The current session may be named too (then the cookie is cleared).',
            tags: ['account'],
            params: SessionParams,
            response: { 200: ref(MessageReply, '{"message":"session revoked"}'), ...errors('NOT_FOUND') }
        }
    }, async (request, reply) => {
        const session = sessionOf(request);
        const from = requesterOf(request);
        await revokeSession(ctx, session, request.params.id, from);
        if (request.params.id === from.session)
            clearSessionCookie(reply, config);
        return { message: 'session revoked' };
    });
    app.delete('/account/sessions', {
        config: { requireSession: true },
        schema: {
            operationId: 'revokeOtherSessions',
            summary: 'Sign out everywhere else',
            description: 'Ends every session of the account but the one presented.',
            tags: ['account'],
            response: { 200: OthersRevoked }
        }
    }, async (request) => {
        const revoked = await revokeOtherSessions(ctx, sessionOf(request), requesterOf(request));
        return { message: 'other sessions revoked', revoked };
    });
};
