// One HTTP/1.1 request over node:http, for input that fetch would tidy up or refuse:
// any method, an unencoded path, repeated headers, raw bytes as the body. A new
// connection per request (no keep-alive), so one odd answer cannot affect the next.
import http from 'node:http'

export interface RawReply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  /** The body decoded as UTF-8 ('' when there is none). */
  readonly text: string
}

export interface RawRequest {
  readonly method: string
  /** Sent as it is in the request line (must be characters 0x21–0xFF). */
  readonly path: string
  /** Lower-case names; an array sends the header once per value (Cookie: joined with "; "). */
  readonly headers?: Record<string, string | string[]>
  /** Sent with an explicit Content-Length; undefined sends no body. */
  readonly body?: Buffer
  readonly timeoutMs?: number
}

/**
 * Rejects (never resolves with a made-up reply) when the request cannot be sent or no
 * complete answer comes back: a header value node:http refuses, a reset, a timeout.
 */
export async function sendRaw (baseUrl: string, options: RawRequest): Promise<RawReply> {
  const target = new URL(baseUrl)
  const timeoutMs = options.timeoutMs ?? 10_000
  const headers: Record<string, string | string[]> = { ...options.headers }
  // Without it node:http sends a GET or DELETE body with neither Content-Length nor
  // chunked framing, which the server would read as the start of the next request.
  if (options.body !== undefined) headers['content-length'] = String(options.body.length)
  return await new Promise<RawReply>((resolve, reject) => {
    let req: http.ClientRequest
    try {
      req = http.request({ host: target.hostname, port: target.port, method: options.method, path: options.path, headers, agent: false }, res => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => { chunks.push(chunk) })
        res.on('error', reject)
        res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }) })
      })
    } catch (error) {
      reject(new Error(`node:http refused to send ${options.method} ${options.path}: ${String(error)}`))
      return
    }
    req.setTimeout(timeoutMs, () => { req.destroy(new Error(`no answer to ${options.method} ${options.path} within ${timeoutMs} ms`)) })
    req.on('error', reject)
    req.end(options.body)
  })
}
