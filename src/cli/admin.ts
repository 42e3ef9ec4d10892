// The operator's commands: `authsvc users …`, `authsvc events`, `authsvc sessions prune`,
// `authsvc outbox [retry ID]`.
// They parse the command line, call the domain's admin functions on the service graph
// (the same rules as HTTP), and print a table or, with --json, one JSON document on
// stdout. Log lines go to stderr, so --json output stays parseable.
import os from 'node:os'
import { parseArgs } from 'node:util'
import type { Actor } from '../auth/events.js'
import { SECURITY_EVENT_TYPES } from '../auth/events.js'
import type { AuthContext } from '../auth/context.js'
import {
  type AccountDetails, type AdminOutcome, disableUser, enableUser, LIST_DEFAULT, LIST_MAX, listEvents, listUsers,
  pruneSessions, removeUser, resetUserMfa, revokeUserSessions, setUserEmail, setUserPassword, showUser, verifyUserEmail
} from '../features/admin/admin.js'
import type { AuditRecord } from '../features/audit/audit.js'
import type { AccountRecord } from '../features/users/users.js'
import { listUndeliveredMessages, type OutboxRecord, retryMessage } from '../outbox/outbox.js'
import type { Input, Output } from './io.js'
import { promptNewPassword, readPasswordFromStdin } from './password-input.js'
import { UsageError } from './usage.js'

export const ADMIN_USAGE = `Operator commands (add --json for one JSON document on stdout):
  users list [--search S] [--limit N]   Accounts by id; --search matches part of the email (limit 1-${LIST_MAX}, default ${LIST_DEFAULT})
  users show ID|EMAIL                   One account: verification, disabled, active sessions
  users disable ID|EMAIL                Refuse its sign-in (403 account_disabled), end its sessions, void its tokens
  users enable ID|EMAIL                 Allow its sign-in again
  users revoke-sessions ID|EMAIL        End every session of the account
  users delete ID|EMAIL                 Delete the account, its sessions and tokens
  users verify-email ID|EMAIL           Mark its email verified (imported and older accounts are not)
  users reset-mfa ID|EMAIL              Remove its authenticator app, recovery codes and passkeys (a lost
                                        phone): sign-in asks for the password alone; the user is told
  users set-email ID|EMAIL NEW_EMAIL    Move the account to another address: unverified, a link mailed
                                        to it, a notice to the old one, pending links void
  users set-password ID|EMAIL [--password-stdin]
                                        Set a new password (asked twice at the terminal, or read from
                                        stdin); every session ends, links void, a notice is mailed
  events [--user ID|EMAIL] [--type T] [--since WHEN] [--limit N]
                                        The audit log, newest first; WHEN is an ISO 8601 time or an age
                                        such as 30m, 24h, 7d (limit 1-${LIST_MAX}, default ${LIST_DEFAULT})
  sessions prune                        Remove expired sessions now (the sweep does it every 10 minutes)
  outbox [--limit N]                    Outgoing mail and back-channel logout tokens not delivered yet:
                                        pending (with its next attempt and last error) or given up after
                                        OUTBOX_GIVE_UP_AFTER; a logout token's TO is its client's id
  outbox retry ID                       Send a message again now (a given-up one gets a new period)
Exit codes: 0 done (also when there was nothing to change), 1 failed, 2 wrong usage, no such user or no such message to retry.
Each change is in the audit log with the operating-system user who ran it.`

/** The first words of every operator command. */
export const ADMIN_COMMANDS = new Set(['users', 'events', 'sessions', 'outbox'])

const USER_ACTIONS = ['show', 'disable', 'enable', 'revoke-sessions', 'delete', 'verify-email', 'set-email', 'set-password', 'reset-mfa'] as const
type UserAction = typeof USER_ACTIONS[number]

export type AdminCommand =
  | { name: 'users list', json: boolean, search?: string, limit: number }
  | { name: UserAction, json: boolean, user: string, passwordStdin: boolean, newEmail?: string }
  | { name: 'events', json: boolean, user?: string, type?: string, since?: number, limit: number }
  | { name: 'sessions prune', json: boolean }
  | { name: 'outbox', json: boolean, limit: number }
  | { name: 'outbox retry', json: boolean, id: number }

function parseLimit (value: string | undefined): number {
  if (value === undefined) return LIST_DEFAULT
  const limit = /^[0-9]{1,4}$/.test(value) ? Number(value) : NaN
  if (!(limit >= 1 && limit <= LIST_MAX)) throw new UsageError(`--limit must be a whole number from 1 to ${LIST_MAX}`)
  return limit
}

const AGE_UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** --since: an ISO 8601 time, or an age back from now (30m, 24h, 7d). */
export function parseSince (value: string, now: number): number {
  const age = /^([0-9]{1,6})([smhd])$/.exec(value)
  if (age !== null) return now - Number(age[1]) * (AGE_UNITS[age[2] ?? 's'] ?? 1000)
  const time = /^\d{4}-\d\d-\d\d(?:[T ][0-9:.]+(?:Z|[+-]\d\d:?\d\d)?)?$/.test(value) ? Date.parse(value) : NaN
  if (Number.isNaN(time)) throw new UsageError('--since must be an ISO 8601 time (2026-12-01, 2026-12-01T08:00:00Z) or an age such as 30m, 24h, 7d')
  return time
}

function parse (args: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): { values: Record<string, string | boolean | undefined>, positionals: string[] } {
  try {
    return parseArgs({ args: [...args], options: { json: { type: 'boolean' }, ...options }, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error))
  }
}

function positionalsExactly (positionals: string[], count: number, what: string): void {
  if (positionals.length === count) return
  if (count === 0) throw new UsageError(`${what} takes no arguments besides its options`)
  throw new UsageError(`${what} takes ${what === 'users set-email' ? 'a user (its id or email) and the new email' : what.startsWith('users') ? 'one user: its id or email' : `${count} arguments`}`)
}

const string = (value: string | boolean | undefined): string | undefined => typeof value === 'string' ? value : undefined

/** Reads an operator command line (its first word is in ADMIN_COMMANDS); throws UsageError. */
export function parseAdminCommand (argv: readonly string[], now: number): AdminCommand {
  const [group, ...rest] = argv
  if (group === 'events') {
    const { values, positionals } = parse(rest, { user: { type: 'string' }, type: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } })
    positionalsExactly(positionals, 0, 'events')
    const type = string(values.type)
    if (type !== undefined && !(SECURITY_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new UsageError(`--type must be one of: ${SECURITY_EVENT_TYPES.join(', ')}`)
    }
    const user = string(values.user)
    const since = string(values.since)
    return {
      name: 'events',
      json: values.json === true,
      limit: parseLimit(string(values.limit)),
      ...(user === undefined ? {} : { user }),
      ...(type === undefined ? {} : { type }),
      ...(since === undefined ? {} : { since: parseSince(since, now) })
    }
  }
  const [action, ...args] = rest
  if (group === 'outbox') {
    if (action === 'retry') {
      const { values, positionals } = parse(args, {})
      const id = positionals.length === 1 && /^[0-9]{1,15}$/.test(positionals[0] ?? '') ? Number(positionals[0]) : NaN
      if (Number.isNaN(id)) throw new UsageError('outbox retry takes the id of one message (the ID column of authsvc outbox)')
      return { name: 'outbox retry', json: values.json === true, id }
    }
    const { values, positionals } = parse(rest, { limit: { type: 'string' } })
    if (positionals.length > 0) throw new UsageError(`unknown command: outbox ${positionals.join(' ')}`)
    return { name: 'outbox', json: values.json === true, limit: parseLimit(string(values.limit)) }
  }
  if (group === 'sessions') {
    if (action !== 'prune') throw new UsageError(`unknown command: sessions ${action ?? ''}`.trim())
    const { values, positionals } = parse(args, {})
    positionalsExactly(positionals, 0, 'sessions prune')
    return { name: 'sessions prune', json: values.json === true }
  }
  if (action === 'list') {
    const { values, positionals } = parse(args, { search: { type: 'string' }, limit: { type: 'string' } })
    positionalsExactly(positionals, 0, 'users list')
    const search = string(values.search)
    return { name: 'users list', json: values.json === true, limit: parseLimit(string(values.limit)), ...(search === undefined ? {} : { search }) }
  }
  const known = USER_ACTIONS.find(name => name === action)
  if (known === undefined) throw new UsageError(`unknown command: users ${action ?? ''}`.trim())
  const { values, positionals } = parse(args, known === 'set-password' ? { 'password-stdin': { type: 'boolean' } } : {})
  positionalsExactly(positionals, known === 'set-email' ? 2 : 1, `users ${known}`)
  return { name: known, json: values.json === true, user: positionals[0] ?? '', passwordStdin: values['password-stdin'] === true, ...(known === 'set-email' ? { newEmail: positionals[1] ?? '' } : {}) }
}

/** The operator as the audit log records them: the operating-system user. */
export function operatorActor (): Actor {
  let operator = 'unknown'
  try {
    operator = os.userInfo().username
  } catch { /* a uid without a passwd entry (some containers) */ }
  return { ip: null, userAgent: null, requestId: null, operator }
}

export const iso = (time: number | null): string | null => time === null ? null : new Date(time).toISOString()

function userJson (account: AccountRecord): Record<string, unknown> {
  return {
    id: account.id,
    email: account.email,
    created_at: iso(account.createdAt),
    updated_at: iso(account.updatedAt),
    email_verified: account.emailVerifiedAt !== null,
    email_verified_at: iso(account.emailVerifiedAt),
    disabled: account.disabledAt !== null,
    disabled_at: iso(account.disabledAt),
    language: account.language
  }
}

function messageJson (message: OutboxRecord): Record<string, unknown> {
  return {
    id: message.id,
    channel: message.channel,
    kind: message.kind,
    user_id: message.userId,
    recipient: message.recipient,
    status: message.status,
    attempts: message.attempts,
    created_at: iso(message.createdAt),
    next_attempt_at: message.status === 'pending' ? iso(message.nextAttemptAt) : null,
    give_up_at: iso(message.giveUpAt),
    last_error: message.lastError
  }
}

const RETRY_ANSWERS = {
  scheduled: 'is due again: sent now (if SMTP refuses it, the running service retries it)',
  not_found: 'no such message',
  already_sent: 'was sent already (a sent message keeps no body to send again)'
} as const

function eventJson (event: AuditRecord): Record<string, unknown> {
  return { id: event.id, created_at: iso(event.createdAt), type: event.type, outcome: event.outcome, user_id: event.userId, session: event.session, ip: event.ip, user_agent: event.userAgent, details: event.details }
}

/** Left-aligned columns under a header, two spaces apart. */
export function table (header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => (row[column] ?? '').length)))
  return [header, ...rows].map(row => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n')
}

const yesNo = (time: number | null): string => time === null ? 'no' : `yes (${iso(time) ?? ''})`
const named = (account: AccountRecord): string => `user ${account.id} <${account.email}>`

function describeOutcome (name: UserAction, { account, changed, sessionsEnded }: AdminOutcome): string {
  const ended = `${sessionsEnded} session${sessionsEnded === 1 ? '' : 's'} ended`
  switch (name) {
    case 'disable': return changed ? `disabled ${named(account)}; ${ended}` : `${named(account)} was already disabled`
    case 'enable': return changed ? `enabled ${named(account)}` : `${named(account)} was not disabled`
    case 'revoke-sessions': return `${named(account)}: ${ended}`
    case 'delete': return `deleted ${named(account)}`
    case 'verify-email': return changed ? `marked the email of ${named(account)} verified` : `the email of ${named(account)} was already verified`
    case 'set-password': return `set a new password for ${named(account)}; ${ended}`
    case 'set-email': return changed ? `moved ${named(account)}: a verification link was mailed to the new address, a notice to the old one` : `${named(account)} already has that address`
    case 'reset-mfa': return changed ? `removed the second factors of ${named(account)}: it signs in with its password alone` : `${named(account)} had no second factor`
    case 'show': return ''
  }
}

function showText (details: AccountDetails): string {
  return [
    `id:               ${details.id}`,
    `email:            ${details.email}`,
    `created:          ${iso(details.createdAt) ?? ''}`,
    `updated:          ${iso(details.updatedAt) ?? ''}`,
    `email verified:   ${yesNo(details.emailVerifiedAt)}`,
    `disabled:         ${yesNo(details.disabledAt)}`,
    `language:         ${details.language}`,
    `active sessions:  ${details.activeSessions}`,
    `linked:           ${details.identities.length === 0 ? 'none' : details.identities.map(identity => identity.email === null ? identity.provider : `${identity.provider} (${identity.email})`).join(', ')}`
  ].join('\n')
}

/** Who runs the command, and the terminal it may ask a password at. */
export interface Operator {
  readonly actor: Actor
  readonly stdin: Input
  /** Where the password prompt goes (stdout holds the command's answer). */
  readonly prompt: Output
}

async function runUserAction (ctx: AuthContext, command: Extract<AdminCommand, { user: string }>, { actor, stdin, prompt }: Operator): Promise<string> {
  const { name, user } = command
  if (name === 'show') {
    const details = await showUser(ctx, user)
    const identities = details.identities.map(identity => ({ provider: identity.provider, issuer: identity.issuer, subject: identity.subject, email: identity.email, created_at: iso(identity.createdAt), last_used_at: iso(identity.lastUsedAt) }))
    return command.json ? JSON.stringify({ ...userJson(details), active_sessions: details.activeSessions, identities }) : showText(details)
  }
  let outcome: AdminOutcome
  switch (name) {
    case 'disable': outcome = await disableUser(ctx, user, actor); break
    case 'enable': outcome = await enableUser(ctx, user, actor); break
    case 'revoke-sessions': outcome = await revokeUserSessions(ctx, user, actor); break
    case 'delete': outcome = await removeUser(ctx, user, actor); break
    case 'verify-email': outcome = await verifyUserEmail(ctx, user, actor); break
    case 'reset-mfa': outcome = await resetUserMfa(ctx, user, actor); break
    case 'set-email': outcome = await setUserEmail(ctx, user, command.newEmail ?? '', actor); break
    case 'set-password': {
      const password = command.passwordStdin ? await readPasswordFromStdin(stdin) : await promptNewPassword(stdin, prompt)
      outcome = await setUserPassword(ctx, user, password, actor)
      break
    }
  }
  if (!command.json) return describeOutcome(name, outcome)
  return JSON.stringify({ action: name, user: userJson(outcome.account), changed: outcome.changed, sessions_ended: outcome.sessionsEnded })
}

/** Runs the command and returns what to print on stdout. */
export async function runAdminCommand (ctx: AuthContext, command: AdminCommand, operator: Operator): Promise<string> {
  const { actor } = operator
  switch (command.name) {
    case 'users list': {
      const users = await listUsers(ctx, command)
      if (command.json) return JSON.stringify({ users: users.map(userJson) })
      if (users.length === 0) return 'no users'
      return table(['ID', 'EMAIL', 'CREATED', 'VERIFIED', 'DISABLED'],
        users.map(user => [String(user.id), user.email, iso(user.createdAt) ?? '', user.emailVerifiedAt === null ? 'no' : 'yes', user.disabledAt === null ? 'no' : 'yes']))
    }
    case 'events': {
      const events = await listEvents(ctx, command)
      if (command.json) return JSON.stringify({ events: events.map(eventJson) })
      if (events.length === 0) return 'no events'
      return table(['ID', 'TIME', 'TYPE', 'OUTCOME', 'USER', 'SESSION', 'IP', 'USER AGENT', 'DETAILS'],
        events.map(event => [event.id, iso(event.createdAt) ?? '', event.type, event.outcome, event.userId === null ? '-' : String(event.userId), event.session ?? '-',
          event.ip ?? '-', event.userAgent === null ? '-' : JSON.stringify(event.userAgent), event.details === null ? '' : JSON.stringify(event.details)]))
    }
    case 'sessions prune': {
      const removed = await pruneSessions(ctx, actor)
      return command.json ? JSON.stringify({ removed }) : `removed ${removed} expired session${removed === 1 ? '' : 's'}`
    }
    case 'outbox': {
      const messages = await listUndeliveredMessages(ctx.db, command.limit)
      if (command.json) return JSON.stringify({ messages: messages.map(messageJson) })
      if (messages.length === 0) return 'nothing pending: every message was delivered'
      return table(['ID', 'CREATED', 'KIND', 'TO', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
        messages.map(message => [String(message.id), iso(message.createdAt) ?? '', message.kind, message.recipient, message.status, String(message.attempts),
          message.status === 'pending' ? iso(message.nextAttemptAt) ?? '' : '-', message.lastError ?? '']))
    }
    case 'outbox retry': {
      const outcome = await retryMessage(ctx.db, command.id, ctx.now(), ctx.config.outbox.giveUpAfterMs)
      if (outcome !== 'scheduled') throw new UsageError(`message ${command.id} ${RETRY_ANSWERS[outcome]}`)
      return command.json ? JSON.stringify({ id: command.id, outcome }) : `message ${command.id} ${RETRY_ANSWERS[outcome]}`
    }
    default:
      return await runUserAction(ctx, command, operator)
  }
}
