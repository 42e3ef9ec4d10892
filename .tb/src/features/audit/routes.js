import { Type } from 'typebox';
import { sessionOf } from '../../http/plugins/session.js';
import { errors, optionalIntegerParam } from '../../http/schemas.js';
import { listAccountEvents, PAGE_DEFAULT, PAGE_MAX } from './audit.js';
const Page = Type.Object({
    limit: optionalIntegerParam(`Events per page, 1 to ${PAGE_MAX} (default ${PAGE_DEFAULT}).`, { minimum: 1, maximum: PAGE_MAX }),
    before: Type.Optional(Type.String({ description: 'The `next` of the page before: the events older than it.' }))
});
const Events = Type.Object({
    events: Type.Array(Type.Object({
        id: Type.String(),
        type: Type.String({ description: 'user.created, login.succeeded, login.failed, login.throttled, logout, password.changed, password.reset_requested, password.reset, email.changed, user.deleted …' }),
        created_at: Type.String({ description: 'ISO 8601, UTC.' }),
        ip: Type.Union([Type.String(), Type.Null()]),
        user_agent: Type.Union([Type.String(), Type.Null()])
    }, { additionalProperties: false })),
    next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `before` for the next page; null on the last.' })
}, { additionalProperties: false, description: 'The account\'s security events, newest first.' });
export const auditRoutes = async (app, { ctx }) => {
    app.get('/account/events', {
        config: { requireSession: true },
        schema: {
            operationId: 'listAccountEvents',
            summary: 'The account\'s security events',
            tags: ['account'],
            querystring: Page,
            response: { 200: Events, ...errors('INVALID_FIELD') }
        }
    }, async (request) => {
        const { events, next } = await listAccountEvents(ctx, sessionOf(request).user.id, request.query);
        return {
            events: events.map(event => ({ id: event.id, type: event.type, created_at: new Date(event.createdAt).toISOString(), ip: event.ip, user_agent: event.userAgent })),
            next
        };
    });
};
