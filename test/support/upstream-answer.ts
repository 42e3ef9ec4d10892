// The browser's side of a sign-in at a fake upstream identity provider (upstream-oidc.ts,
// upstream-github.ts): follow the upstream's redirects until it sends the browser back to
// the application, and read the auto-submitting form of a `form_post` answer (Apple's).

/** How an upstream sent the browser back to the application, or the page it stopped on. */
export type UpstreamAnswer =
  /** A redirect off the upstream's origin: the client's redirect_uri with `code`, `state`
   *  (and `iss`), or with `error`. */
  | { readonly kind: 'redirect', readonly location: URL }
  /** A page that POSTs `fields` to `action` (response_mode=form_post). */
  | { readonly kind: 'form_post', readonly action: string, readonly fields: Readonly<Record<string, string>> }
  /** Anything else: an error page of the upstream (a bad client, redirect_uri, request). */
  | { readonly kind: 'page', readonly status: number, readonly body: string }

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': '\'' }
const decode = (text: string): string => text.replace(/&(?:amp|lt|gt|quot|#39);/g, entity => ENTITIES[entity] ?? entity)

/**
 * The action and hidden inputs of a `form_post` page (oidc-provider's, which a browser
 * submits by script on load), for a fetch-based browser to POST as a form. Null when the
 * page holds no POST form.
 */
export function formPostFields (html: string): { action: string, fields: Record<string, string> } | null {
  const form = /<form\s[^>]*method="post"[^>]*action="([^"]*)"/i.exec(html)
  if (form?.[1] === undefined) return null
  const fields: Record<string, string> = {}
  for (const input of html.matchAll(/<input\s[^>]*type="hidden"[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1]
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1]
    if (name !== undefined) fields[decode(name)] = decode(value ?? '')
  }
  return { action: decode(form[1]), fields }
}

/** Follows `url` and the redirects that stay on `origin` (the upstream's), without cookies,
 *  as a fetch-based browser would, until the upstream lets go of the browser. */
export async function followUpstream (origin: string, url: string | URL): Promise<UpstreamAnswer> {
  let current = new URL(url)
  for (let hops = 0; hops < 10; hops += 1) {
    if (current.origin !== origin) return { kind: 'redirect', location: current }
    const reply = await fetch(current, { redirect: 'manual' })
    const location = reply.headers.get('location')
    if (reply.status >= 300 && reply.status < 400 && location !== null) {
      await reply.body?.cancel()
      current = new URL(location, current)
      continue
    }
    const body = await reply.text()
    const form = reply.status === 200 ? formPostFields(body) : null
    return form === null ? { kind: 'page', status: reply.status, body } : { kind: 'form_post', ...form }
  }
  throw new Error(`more than 10 redirects at ${origin} from ${String(url)}`)
}
