// The operations of the running server, read from its own GET /openapi.json, for the tests
// that claim "every route" (hostile-input, property): a route added to the service is in
// their list with nothing to edit, and test/openapi.test.ts holds the document to having
// every registered route.
import type { TestServer } from './server.js'

export interface Operation {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /** The OpenAPI path template: /users/{id}. */
  readonly path: string
  /** Its path parameters and their documented types ('integer', 'string'). */
  readonly pathParams: ReadonlyArray<{ readonly name: string, readonly type: string }>
  readonly queryParams: readonly string[]
  /** The fields of its JSON body (those of every allOf/anyOf part); [] without a body. */
  readonly bodyFields: readonly string[]
  readonly hasBody: boolean
  /** It needs a session (its security names the session schemes). */
  readonly needsSession: boolean
}

interface DocumentSchema { properties?: Record<string, unknown>, allOf?: DocumentSchema[], anyOf?: DocumentSchema[], oneOf?: DocumentSchema[] }
interface DocumentOperation {
  parameters?: Array<{ name: string, in: string, schema?: { type?: string } }>
  requestBody?: { content: Record<string, { schema: DocumentSchema }> }
  security?: unknown[]
}

function fieldsOf (schema: DocumentSchema | undefined): string[] {
  if (schema === undefined) return []
  const parts = [...schema.allOf ?? [], ...schema.anyOf ?? [], ...schema.oneOf ?? []]
  return [...new Set([...Object.keys(schema.properties ?? {}), ...parts.flatMap(fieldsOf)])]
}

/** Every operation the server documents. */
export async function documentedOperations (server: TestServer): Promise<Operation[]> {
  const response = await fetch(`${server.url}/openapi.json`)
  const document = await response.json() as { paths: Record<string, Record<string, DocumentOperation>> }
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => {
    const parameters = operation.parameters ?? []
    const body = operation.requestBody?.content['application/json']?.schema
    return {
      method: method.toUpperCase() as Operation['method'],
      path,
      pathParams: parameters.filter(p => p.in === 'path').map(p => ({ name: p.name, type: p.schema?.type ?? 'string' })),
      queryParams: parameters.filter(p => p.in === 'query').map(p => p.name),
      bodyFields: fieldsOf(body),
      hasBody: body !== undefined,
      needsSession: (operation.security ?? []).length > 0
    }
  }))
}

/** The path with each {param} replaced by its value from `values`, percent-encoded
 *  unless `raw` (then sent as it is, for paths fetch would tidy). */
export function fillPath (operation: Operation, values: (param: { name: string, type: string }) => string, raw = false): string {
  let path = operation.path
  for (const param of operation.pathParams) {
    const value = values(param)
    path = path.replace(`{${param.name}}`, raw ? value : encodeURIComponent(value))
  }
  return path
}

export const describeOperation = (operation: Operation): string => `${operation.method} ${operation.path}`
