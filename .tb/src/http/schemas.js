// TypeBox schemas shared by the routes. Each validates (requests), serializes (replies:
// fast-json-stringify drops any key a reply schema does not name), types the handlers
// through @fastify/type-provider-typebox, and becomes a named component of the OpenAPI
// document through its $id (app.addSchema in plugins/openapi.ts).
import { Type } from 'typebox';
import { describeErrors, ERROR_CODES, namesByStatus } from '../error-codes.js';
export const ErrorReply = Type.Object({
    message: Type.String({ description: 'What went wrong, for people; it may change.' }),
    code: Type.String({ description: `Stable and machine-readable: one of ${ERROR_CODES.join(', ')}.`, examples: ['invalid_field'] })
}, { $id: 'Error', additionalProperties: false, description: 'Every error reply.' });
export const MessageReply = Type.Object({ message: Type.String() }, { $id: 'Message', additionalProperties: false });
export const EmailMessageReply = Type.Object({
    email: Type.String({ description: 'The account\'s email, trimmed and lower-cased.' }),
    message: Type.String()
}, { $id: 'EmailMessage', additionalProperties: false });
export const UserReply = Type.Object({
    email: Type.String(),
    id: Type.Integer()
}, { $id: 'User', additionalProperties: false });
/** Added to the app once (app.addSchema): routes refer to them with ref(). */
export const SHARED_SCHEMAS = [ErrorReply, MessageReply, EmailMessageReply, UserReply];
/** A $ref to a shared schema that keeps its TypeScript type for the handler; the
 *  description says what the reply means on this route (OpenAPI's response description). */
export function ref(schema, description) {
    const id = schema.$id;
    if (typeof id !== 'string')
        throw new Error('ref() needs a shared schema: one with an $id');
    return Type.Unsafe(Type.Ref(id, description === undefined ? {} : { description }));
}
// The names behind each error reply errors() and errorReply() made, so that a hook adding
// a refusal to a route (route-hooks.ts) merges its names with the route's own.
const NAMES_OF_REPLY = new WeakMap();
/** The error reply of one status, documented with what its names mean (their rows' codes
 *  and messages, from the table of src/error-codes.ts). */
export function errorReply(names) {
    if (namesByStatus(names).size !== 1)
        throw new Error(`errorReply() needs names of one status: ${names.join(', ')}`);
    const reply = ref(ErrorReply, describeErrors(names));
    NAMES_OF_REPLY.set(reply, [...namesByStatus(names).values()].flat());
    return reply;
}
/** The names an error reply was made of; undefined for any other reply schema. */
export function namesOfReply(reply) {
    return typeof reply === 'object' && reply !== null ? NAMES_OF_REPLY.get(reply) : undefined;
}
/**
 * The error replies of a route, by status, from the names of the rows of src/error-codes.ts
 * its handler can answer with: `response: { 200: …, ...errors('INVALID_FIELD', 'EMAIL_TAKEN') }`.
 * Declare exactly what the route's domain functions can throw; the refusals of the hooks
 * (session, cross-site check, per-IP limit, schema validation, the database) are added by
 * the hooks themselves (route-hooks.ts addErrorReply).
 */
export function errors(...names) {
    return Object.fromEntries([...namesByStatus(names)].map(([status, group]) => [status, errorReply(group)]));
}
/** Session security requirement of the OpenAPI document: the cookie or the header. */
export const SESSION_SECURITY = [{ sessionCookie: [] }, { sessionHeader: [] }];
// The parameters that hold an integer, made by integerParam(), with their documented range.
const INTEGER_PARAMS = new WeakMap();
/**
 * A path or query parameter holding an integer (a user id, a page size). Parameters are
 * validated as the text they arrive as (Fastify's Ajv here coerces no type), so the schema
 * stays a string and the handler reads the text: a user id that is not the session's own,
 * digits or not ("abc", "01"), is the same 403 as v1 says, never a 400; a page size out
 * of `range` is the domain's 400. The OpenAPI document types it `integer` with that range
 * (plugins/openapi.ts), what a client sends and what `User.id` is, so a generated client
 * takes the number it was given.
 */
export function integerParam(description, range = {}) {
    const schema = Type.String({ description });
    INTEGER_PARAMS.set(schema, range);
    return schema;
}
/** integerParam(), optional (Type.Optional() makes a copy, which would not be known as one). */
export function optionalIntegerParam(description, range = {}) {
    const schema = Type.Optional(Type.String({ description }));
    INTEGER_PARAMS.set(schema, range);
    return schema;
}
/** The documented range of a parameter made by integerParam(); undefined for any other. */
export function integerParamRange(schema) {
    return typeof schema === 'object' && schema !== null ? INTEGER_PARAMS.get(schema) : undefined;
}
