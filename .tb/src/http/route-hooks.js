import { namesByStatus } from '../error-codes.js';
import { errorReply, namesOfReply } from './schemas.js';
/** Appends `hook` to the route's onRequest hooks. */
export function addOnRequest(route, hook) {
    const existing = route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    route.onRequest = [...existing, hook];
}
/**
 * Documents the refusals a hook may answer the route with, by their names in the table of
 * src/error-codes.ts (serialized with the Error schema): each joins the names the route
 * declared for its status (errors(...)), and the status's description is made again from
 * them all. A status the route answers with a body of its own (GET /health/ready's 503)
 * is left as it is.
 */
export function addErrorReply(route, ...names) {
    const schema = route.schema ?? {};
    const response = (schema.response ?? {});
    for (const [status, added] of namesByStatus(names)) {
        const existing = response[status];
        const declared = namesOfReply(existing);
        if (existing === undefined)
            response[status] = errorReply(added);
        else if (declared !== undefined)
            response[status] = errorReply([...declared, ...added]);
    }
    schema.response = response;
    route.schema = schema;
}
/** The error names a route documents, by status: those it declared and those its hooks added. */
export function errorNamesOf(route) {
    const response = (route.schema?.response ?? {});
    const found = new Map();
    for (const [status, reply] of Object.entries(response)) {
        const names = namesOfReply(reply);
        if (names !== undefined)
            found.set(Number(status), names);
    }
    return found;
}
