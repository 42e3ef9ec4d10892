// COMPAT=course: the answers of the course project's Flask app.py, exactly (in JSON terms,
// whole bodies), so that students' own main.py scripts pass unchanged. The routes answer the
// v1 contract whatever the mode; this adapter, which buildApp() registers only under
// COMPAT=course, reshapes their answers at the edge. It is the one module that knows the
// course's answers; config.ts keeps the defaults COMPAT=course sets (RESET_TOKEN_IN_RESPONSE,
// the password policy), which stay settings of their own.
import type { FastifyInstance, FastifyReply, FastifyRequest, onSendAsyncHookHandler, onSendHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { V1Choices } from '../../features/options.js'

type Body = Record<string, unknown>

interface CourseAnswer {
  /** The course's success body made from the v1 one; absent: the v1 body as it is. */
  readonly success?: (body: Body) => Body
  /** A success answered instead with a redirect there (app.py's `redirect()`). */
  readonly redirectTo?: string
}

/**
 * The v1 routes by method and route template. Every error they answer, whoever refuses
 * (the handler, a hook before it: no session, per-IP limit, schema, cross-site; the
 * database being unreachable), is `{"message": …}` alone, as app.py's are.
 */
const COURSE_ANSWERS: Readonly<Record<string, CourseAnswer>> = {
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
}

/**
 * How the v1 routes call the domain in this mode: a reset keeps the user's sessions, as
 * app.py's `update_password` does. The route passes it through unread (FeatureOptions.v1).
 * An own handler here for PUT /reset_password would have copied the route's schema, limit
 * and validation, and buildApp() would have had to leave the standard one out: a second
 * place that knows the course. This way the course's choice is still made here.
 */
const COURSE_V1_CHOICES: V1Choices = { resetPassword: { endSessions: false } }

const JSON_TYPE = 'application/json; charset=utf-8'

// After serialization: the reply schemas name keys the course leaves out (`id`, `code`,
// `message`), which fast-json-stringify would insist on in a preSerialization hook.
function answerAsTheCourse ({ success, redirectTo }: CourseAnswer): onSendAsyncHookHandler {
  return async function courseAnswer (_request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
    const status = reply.statusCode
    if (status >= 200 && status < 300) {
      if (redirectTo !== undefined) {
        void reply.code(302).header('location', redirectTo).header('content-type', JSON_TYPE).removeHeader('preference-applied')
        return 'null'
      }
      return success === undefined || typeof payload !== 'string' ? payload : JSON.stringify(success(JSON.parse(payload) as Body))
    }
    if (status < 400 || typeof payload !== 'string') return payload
    const { message } = JSON.parse(payload) as Body
    return JSON.stringify({ message })
  }
}

function addOnSend (route: RouteOptions, hook: onSendHookHandler | onSendAsyncHookHandler): void {
  const existing = route.onSend === undefined ? [] : Array.isArray(route.onSend) ? route.onSend : [route.onSend]
  route.onSend = [...existing, hook]
}

/** Registered before the feature routes: its onRoute hook gives the v1 routes, and them
 *  only, the course's answers (any other route pays nothing). */
const compatCoursePlugin = fp(async function compatCourse (app: FastifyInstance) {
  app.addHook('onRoute', route => {
    const answer = typeof route.method === 'string' ? COURSE_ANSWERS[`${route.method} ${route.url}`] : undefined
    if (answer !== undefined) addOnSend(route, answerAsTheCourse(answer))
  })
}, { name: 'authsvc-compat-course' })

/** What buildApp() wires in under COMPAT=course: the plugin, and FeatureOptions.v1. */
export const compatCourse = { plugin: compatCoursePlugin, v1: COURSE_V1_CHOICES } as const
