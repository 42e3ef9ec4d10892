function fieldsOf(schema) {
    if (schema === undefined)
        return [];
    const parts = [...schema.allOf ?? [], ...schema.anyOf ?? [], ...schema.oneOf ?? []];
    return [...new Set([...Object.keys(schema.properties ?? {}), ...parts.flatMap(fieldsOf)])];
}
/** Every operation the server documents. */
export async function documentedOperations(server) {
    const response = await fetch(`${server.url}/openapi.json`);
    const document = await response.json();
    return Object.entries(document.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => {
        const parameters = operation.parameters ?? [];
        const body = operation.requestBody?.content['application/json']?.schema;
        return {
            method: method.toUpperCase(),
            path,
            pathParams: parameters.filter(p => p.in === 'path').map(p => ({ name: p.name, type: p.schema?.type ?? 'string' })),
            queryParams: parameters.filter(p => p.in === 'query').map(p => p.name),
            bodyFields: fieldsOf(body),
            hasBody: body !== undefined,
            needsSession: (operation.security ?? []).length > 0
        };
    }));
}
/** The path with each {param} replaced by its value from `values`, percent-encoded
 *  unless `raw` (then sent as it is, for paths fetch would tidy). */
export function fillPath(operation, values, raw = false) {
    let path = operation.path;
    for (const param of operation.pathParams) {
        const value = values(param);
        path = path.replace(`{${param.name}}`, raw ? value : encodeURIComponent(value));
    }
    return path;
}
export const describeOperation = (operation) => `${operation.method} ${operation.path}`;
