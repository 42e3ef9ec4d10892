// JSON Schemas shared by the routes: request shapes for validation, reply shapes for
// serialization (fast-json-stringify drops any key a reply schema does not name).
const str = { type: 'string' } as const

export function bodyOf (required: readonly string[], properties: readonly string[], closed = false): object {
  return {
    type: 'object',
    required,
    properties: Object.fromEntries(properties.map(name => [name, str])),
    ...(closed ? { additionalProperties: false } : {})
  }
}

export const replies = {
  message: { type: 'object', required: ['message'], properties: { message: str }, additionalProperties: false },
  emailMessage: { type: 'object', required: ['email', 'message'], properties: { email: str, message: str }, additionalProperties: false },
  resetRequested: {
    type: 'object',
    required: ['email', 'message'],
    properties: { email: str, message: str, reset_token: str },
    additionalProperties: false
  },
  user: { type: 'object', required: ['email', 'id'], properties: { email: str, id: { type: 'integer' } }, additionalProperties: false },
  empty: { type: 'object', additionalProperties: false }
} as const
