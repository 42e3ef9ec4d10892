// Prometheus metrics (prom-client), one registry per service graph. The auth counters are
// fed by the security-event seam, the hash metrics by the hasher, the mail counter by the
// mailer, the HTTP metrics by src/http/plugins/metrics.ts. No label ever holds a raw path,
// an email or an id: routes are templates, and 404s are `unmatched`.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { SecurityEventSubscriber, SecurityEventType } from './auth/events.js'

export interface Metrics {
  readonly registry: Registry
  readonly httpRequests: Counter<'method' | 'route' | 'status'>
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>
  readonly rateLimited: Counter<'limit'>
  /** Counts the events that are logins, registrations and password resets. */
  readonly onEvent: SecurityEventSubscriber
  /** The hasher's onComputed. */
  readonly observeHash: (op: 'hash' | 'verify', seconds: number) => void
  /** Counts an outbox message's attempt (sent, failed) or its giving up: mail by kind
   *  (authsvc_mails_total), logout tokens (authsvc_logout_tokens_total). */
  readonly countMessage: (channel: string, kind: string, result: 'sent' | 'failed' | 'given_up') => void
}

const LOGIN_RESULTS: Partial<Record<SecurityEventType, string>> = {
  'login.succeeded': 'success',
  'login.failed': 'invalid_credentials',
  'login.throttled': 'throttled',
  'login.mfa_required': 'mfa_required'
}
const SECOND_FACTOR_EVENTS = new Set<SecurityEventType>(['totp.enabled', 'totp.disabled', 'recovery_code.used', 'recovery_codes.regenerated', 'passkey.added', 'passkey.removed', 'mfa.reset'])
const OIDC_EVENTS = new Set<SecurityEventType>(['oidc.consent_granted', 'oidc.token_issued', 'oidc.refresh_reused', 'oidc.logout'])
const RESET_STEPS: Partial<Record<SecurityEventType, string>> = {
  'password.reset_requested': 'requested',
  'password.reset': 'completed'
}

export function createMetrics (source: { hashQueueDepth: () => number, outboxPending: () => Promise<number>, instance?: string | null }): Metrics {
  const registry = new Registry()
  // Several instances behind one load balancer: each series names its instance (INSTANCE_NAME).
  if (source.instance !== undefined && source.instance !== null) registry.setDefaultLabels({ instance: source.instance })
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route template and status.', labelNames: ['method', 'route', 'status'] as const, registers })
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from a request\'s arrival to its answer, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers
  })
  const logins = new Counter({ name: 'authsvc_logins_total', help: 'Sign-in attempts by result: success, invalid_credentials, throttled, mfa_required, invalid_code, account_disabled, email_not_verified.', labelNames: ['result'] as const, registers })
  const registrations = new Counter({ name: 'authsvc_registrations_total', help: 'Accounts created.', registers })
  const secondFactors = new Counter({ name: 'authsvc_second_factor_events_total', help: 'Second-factor changes and uses, by event: totp.enabled, totp.disabled, recovery_code.used, recovery_codes.regenerated, passkey.added, passkey.removed, mfa.reset.', labelNames: ['event'] as const, registers })
  const resets = new Counter({ name: 'authsvc_password_resets_total', help: 'Password resets by step: requested (a token mailed), completed.', labelNames: ['step'] as const, registers })
  const oidcEvents = new Counter({ name: 'authsvc_oidc_events_total', help: 'What the OpenID Connect provider did, by event: oidc.consent_granted, oidc.token_issued, oidc.refresh_reused (an old refresh token used again: its grant revoked), oidc.logout.', labelNames: ['event'] as const, registers })
  const rateLimited = new Counter({ name: 'authsvc_rate_limited_total', help: 'Requests refused by an abuse limit, by limit (the per-IP buckets, account_throttle).', labelNames: ['limit'] as const, registers })
  const mails = new Counter({ name: 'authsvc_mails_total', help: 'Mail attempts by kind and result: sent, failed (tried again later), and given_up once per mail that failed for OUTBOX_GIVE_UP_AFTER.', labelNames: ['kind', 'result'] as const, registers })
  const logoutTokens = new Counter({ name: 'authsvc_logout_tokens_total', help: 'Back-channel logout token deliveries to client applications by result: sent, failed (tried again later), and given_up once per token that failed for OUTBOX_GIVE_UP_AFTER.', labelNames: ['result'] as const, registers })
  // oxlint-disable-next-line no-new -- registered on creation; read by its collect()
  new Gauge({
    name: 'authsvc_outbox_pending',
    help: 'Outgoing messages (mail, back-channel logout tokens) written and not yet delivered, on the shared database.',
    registers,
    async collect () {
      // A database that cannot answer leaves the last value: the scrape still succeeds.
      try { this.set(await source.outboxPending()) } catch { /* unreachable: readiness says so */ }
    }
  })
  const hashDuration = new Histogram({
    name: 'authsvc_hash_duration_seconds',
    help: 'Time a password hash or verification took in its thread, waiting excluded.',
    labelNames: ['op'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers
  })
  // oxlint-disable-next-line no-new -- registered on creation; read by its collect()
  new Gauge({ name: 'authsvc_hash_queue_depth', help: 'Password hashes and verifications waiting for a thread.', registers, collect () { this.set(source.hashQueueDepth()) } })
  for (const result of Object.values(LOGIN_RESULTS)) logins.inc({ result }, 0)
  for (const step of Object.values(RESET_STEPS)) resets.inc({ step }, 0)

  return {
    registry,
    httpRequests,
    httpDuration,
    rateLimited,
    onEvent (_db, event) {
      // A refusal after the right password names its reason (account_disabled …).
      const reason = event.type === 'login.failed' ? event.details?.reason : undefined
      const result = typeof reason === 'string' ? reason : LOGIN_RESULTS[event.type]
      if (result !== undefined) logins.inc({ result })
      if (event.type === 'login.throttled') rateLimited.inc({ limit: 'account_throttle' })
      if (event.type === 'user.created') registrations.inc()
      if (SECOND_FACTOR_EVENTS.has(event.type)) secondFactors.inc({ event: event.type })
      if (OIDC_EVENTS.has(event.type)) oidcEvents.inc({ event: event.type })
      const step = RESET_STEPS[event.type]
      if (step !== undefined) resets.inc({ step })
    },
    observeHash (op, seconds) { hashDuration.observe({ op }, seconds) },
    countMessage (channel, kind, result) {
      if (channel === 'mail') mails.inc({ kind, result })
      else if (channel === 'logout') logoutTokens.inc({ result })
    }
  }
}
