// The cookies of the fake upstream's pending authorization requests, kept on the server
// side instead of in the browser. oidc-provider ties an interaction to the browser that
// started it with two cookies whose paths hold the interaction's uid (`_interaction` on
// /interaction/<uid>, `_interaction_resume` on /auth/<uid>); the paths alone tell the
// requests apart, so holding them here lets a plain fetch without a cookie jar be the
// browser. Every other cookie (the library's `_session`) is dropped both ways: each
// authorization request signs in `nextAccount` afresh, never a session the browser kept.
import type http from 'node:http'

interface Cookie { readonly path: string, readonly name: string, readonly value: string }

const KEPT = /^_interaction(?:_resume)?(?:\.sig)?$/

export class InteractionCookies {
  readonly #cookies = new Map<string, Cookie>()

  /** Gives `req` the cookies held for `pathname` (its full path, mount prefix included)
   *  instead of the browser's, and takes the cookies `res` sets before they are sent. */
  attach (req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
    const held = [...this.#cookies.values()].filter(({ path }) => pathname === path || pathname.startsWith(path.endsWith('/') ? path : `${path}/`))
    req.headers.cookie = held.map(({ name, value }) => `${name}=${value}`).join('; ')
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse
    // The library sets its cookies with setHeader and lets Node write the head (writeHead
    // is called then too): the last moment to take them out of the reply.
    res.writeHead = (...args: unknown[]) => {
      this.#take(res.getHeader('set-cookie'))
      res.removeHeader('set-cookie')
      return writeHead(...args)
    }
  }

  #take (header: number | string | string[] | undefined): void {
    for (const line of typeof header === 'string' ? [header] : Array.isArray(header) ? header : []) {
      const [pair = '', ...attributes] = line.split(';').map(part => part.trim())
      const equals = pair.indexOf('=')
      const name = pair.slice(0, equals)
      if (equals < 1 || !KEPT.test(name)) continue
      const value = pair.slice(equals + 1)
      const path = attributes.find(attribute => /^path=/i.test(attribute))?.slice(5) ?? '/'
      const expired = value === '' || attributes.some(attribute => /^expires=.*1970/i.test(attribute) || /^max-age=0$/i.test(attribute))
      if (expired) this.#cookies.delete(`${path} ${name}`)
      else this.#cookies.set(`${path} ${name}`, { path, name, value })
    }
  }
}
