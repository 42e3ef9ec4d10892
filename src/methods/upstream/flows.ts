// A sign-in (or a link from the account page) waiting at another provider: what its
// callback is checked against — the state, the nonce, the PKCE verifier — and where the
// browser goes afterwards. Bound to the browser that began it: the flow's token lives in
// a cookie of that browser only (its SHA-256 here), so a callback carried to another
// browser (login CSRF) finds no flow. Single use: the callback takes it. This module owns
// upstream_flows.
import { randomBytes } from 'node:crypto'
import type { Db } from '../../db/index.js'
import { deleteExpiredInBatches } from '../../db/sweep.js'
import { generateToken, hashToken, isWellFormedToken } from '../../auth/tokens.js'

/** Ten minutes at the provider's pages. */
export const UPSTREAM_FLOW_TTL_SECONDS = 600

export interface UpstreamFlow {
  readonly provider: string
  readonly state: string
  readonly nonce: string
  readonly codeVerifier: string
  /** The account linking this identity (from its account page), or null: a sign-in. */
  readonly linkUserId: number | null
  readonly returnTo: string | null
}

/** 256 bits, base64url: a state, a nonce, a PKCE verifier (43 characters, as RFC 7636 allows). */
const random = (): string => randomBytes(32).toString('base64url')

/** Stores a new flow; returns it and the token for the browser's cookie. */
export async function beginUpstreamFlow (db: Db, input: { provider: string, linkUserId: number | null, returnTo: string | null, now: number }): Promise<{ token: string, flow: UpstreamFlow }> {
  const token = generateToken()
  const flow: UpstreamFlow = {
    provider: input.provider,
    state: random(),
    nonce: random(),
    codeVerifier: random(),
    linkUserId: input.linkUserId,
    returnTo: input.returnTo
  }
  await db.insertInto('upstream_flows').values({
    id: hashToken(token),
    provider: flow.provider,
    state: flow.state,
    nonce: flow.nonce,
    code_verifier: flow.codeVerifier,
    link_user_id: flow.linkUserId,
    return_to: flow.returnTo,
    created_at: input.now,
    expires_at: input.now + UPSTREAM_FLOW_TTL_SECONDS * 1000
  }).execute()
  return { token, flow }
}

/** Takes (removes) the flow the cookie's token names, if it is live: the one request whose
 *  DELETE removed it gets it, so a callback replayed, or raced, finds nothing. */
export async function takeUpstreamFlow (db: Db, token: string | undefined, now: number): Promise<UpstreamFlow | null> {
  if (token === undefined || !isWellFormedToken(token)) return null
  const id = hashToken(token)
  const row = await db.selectFrom('upstream_flows').selectAll().where('id', '=', id).executeTakeFirst()
  if (row === undefined) return null
  const taken = await db.deleteFrom('upstream_flows').where('id', '=', id).executeTakeFirst()
  if (taken.numDeletedRows !== 1n || Number(row.expires_at) <= now) return null
  return { provider: row.provider, state: row.state, nonce: row.nonce, codeVerifier: row.code_verifier, linkUserId: row.link_user_id === null ? null : Number(row.link_user_id), returnTo: row.return_to }
}

export async function deleteExpiredUpstreamFlows (db: Db, now: number): Promise<number> {
  return await deleteExpiredInBatches(db, 'upstream_flows', now)
}
