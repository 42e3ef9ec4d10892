// One HTTP/1.1 request over node:http, for input that fetch would tidy up or refuse:
// any method, an unencoded path, repeated headers, raw bytes as the body. A new
// connection per request (no keep-alive), so one odd answer cannot affect the next.
import http from 'node:http';
/**
 * Rejects (never resolves with a made-up reply) when the request cannot be sent or no
 * complete answer comes back: a header value node:http refuses, a reset, a timeout.
 */
export async function sendRaw(baseUrl, options) {
    const target = new URL(baseUrl);
    const timeoutMs = options.timeoutMs ?? 10_000;
    const headers = { ...options.headers };
    // Without it node:http sends a GET or DELETE body with neither Content-Length nor
    // chunked framing, which the server would read as the start of the next request.
    if (options.body !== undefined)
        headers['content-length'] = String(options.body.length);
    return await new Promise((resolve, reject) => {
        let req;
        try {
            req = http.request({ host: target.hostname, port: target.port, method: options.method, path: options.path, headers, agent: false }, res => {
                const chunks = [];
                res.on('data', (chunk) => { chunks.push(chunk); });
                res.on('error', reject);
                res.on('end', () => { resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }); });
            });
        }
        catch (error) {
            reject(new Error(`node:http refused to send ${options.method} ${options.path}: ${String(error)}`));
            return;
        }
        req.setTimeout(timeoutMs, () => { req.destroy(new Error(`no answer to ${options.method} ${options.path} within ${timeoutMs} ms`)); });
        req.on('error', reject);
        req.end(options.body);
    });
}
