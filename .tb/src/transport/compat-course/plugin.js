import fp from 'fastify-plugin';
/**
 * The v1 routes by method and route template. Every error they answer, whoever refuses
 * (the handler, a hook before it: no session, per-IP limit, schema, cross-site; the
 * database being unreachable), is `{"message": …}` alone, as app.py's are.
 */
const COURSE_ANSWERS = {
    'GET /': {},
    'POST /users': {},
    'POST /sessions': {},
    // app.py: `return redirect("/")`, which its clients follow with a GET (even Prefer:
    // return=minimal gets it: the course knows no 204).
    'DELETE /sessions': { redirectTo: '/' },
    // app.py: `jsonify({"email": user.email})`.
    'GET /profile': { success: ({ email }) => ({ email }) },
    // app.py: `jsonify({"email": email, "reset_token": token})`. Without a token (the
    // RESET_TOKEN_IN_RESPONSE default turned off, or past RESET_MAIL_LIMIT) the v1 answer stays.
    'POST /reset_password': { success: ({ email, message, reset_token: token }) => token === undefined ? { email, message } : { email, reset_token: token } },
    'PUT /reset_password': {},
    'GET /users/:id': {},
    'PUT /users/:id': {},
    'DELETE /users/:id': {}
};
/**
 * How the v1 routes call the domain in this mode: a reset keeps the user's sessions, as
 * app.py's `update_password` does. The route passes it through unread (FeatureOptions.v1).
 * An own handler here for PUT /reset_password would have copied the route's schema, limit
 * and validation, and buildApp() would have had to leave the standard one out: a second
 * place that knows the course. This way the course's choice is still made here.
 */
const COURSE_V1_CHOICES = { resetPassword: { endSessions: false } };
const JSON_TYPE = 'application/json; charset=utf-8';
// After serialization: the reply schemas name keys the course leaves out (`id`, `code`,
// `message`), which fast-json-stringify would insist on in a preSerialization hook.
function answerAsTheCourse({ success, redirectTo }) {
    return async function courseAnswer(_request, reply, payload) {
        const status = reply.statusCode;
        if (status >= 200 && status < 300) {
            if (redirectTo !== undefined) {
                void reply.code(302).header('location', redirectTo).header('content-type', JSON_TYPE).removeHeader('preference-applied');
                return 'null';
            }
            return success === undefined || typeof payload !== 'string' ? payload : JSON.stringify(success(JSON.parse(payload)));
        }
        if (status < 400 || typeof payload !== 'string')
            return payload;
        const { message } = JSON.parse(payload);
        return JSON.stringify({ message });
    };
}
function addOnSend(route, hook) {
    const existing = route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend];
    route.onSend = [...existing, hook];
}
/** Registered before the feature routes: its onRoute hook gives the v1 routes, and them
 *  only, the course's answers (any other route pays nothing). */
const compatCoursePlugin = fp(async function compatCourse(app) {
    app.addHook('onRoute', route => {
        const answer = typeof route.method === 'string' ? COURSE_ANSWERS[`${route.method} ${route.url}`] : undefined;
        if (answer !== undefined)
            addOnSend(route, answerAsTheCourse(answer));
    });
}, { name: 'authsvc-compat-course' });
/** What buildApp() wires in under COMPAT=course: the plugin, and FeatureOptions.v1. */
export const compatCourse = { plugin: compatCoursePlugin, v1: COURSE_V1_CHOICES };
