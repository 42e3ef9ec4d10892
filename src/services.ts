// The composition root: createServices(config) builds the service graph (database,
// counters, mailer, hasher, session lookup, background work, scheduled jobs) and closes
// it. `serve`, every CLI command and the tests build it the same way; buildApp() only
// wires HTTP onto it, so nothing here knows of Fastify.
import { randomBytes } from 'node:crypto'
import os from 'node:os'
import type { Logger } from 'pino'
import { createBackground, type Background } from './background.js'
import type { AuthContext } from './auth/context.js'
import { createSecurityEvents, type SecurityEventSubscriber } from './auth/events.js'
import { SecretBox } from './auth/secret-box.js'
import { deleteExpiredTokens } from './auth/one-time-tokens.js'
import { createPasswordHasher, defaultHashThreads, type PasswordHasher } from './auth/password-hasher.js'
import { purgeAuditEvents, recordAuditEvent } from './features/audit/audit.js'
import { deleteExpiredChallenges } from './methods/passkey/challenges.js'
import { createSessionLookup } from './features/sessions/session-lookup.js'
import { deleteExpiredSessions } from './features/sessions/sessions.js'
import { findSlowestStoredHash } from './identity/password-credential.js'
import { deleteExpiredLoginFlows } from './tokens/login-flows.js'
import { deleteExpiredUpstreamFlows } from './methods/upstream/flows.js'
import { deleteExpiredOidcRecords } from './provider/adapter.js'
import type { Config } from './config.js'
import { createDb, type Db } from './db/index.js'
import { createLeases } from './db/leases.js'
import { createOutageLog } from './outage-log.js'
import { isDatabaseUnavailable } from './db/errors.js'
import { createJobs, type Jobs } from './jobs.js'
import { createCounterStore, type CounterStore } from './limits/counter-store.js'
import { createMailer, type Mailer } from './mail/mailer.js'
import { createMetrics, type Metrics } from './metrics.js'
import { countPendingMessages, deleteOldMessages, hasDueMessages } from './outbox/outbox.js'
import { createOutboxSender } from './outbox/sender.js'
import { type BackchannelLogout, createBackchannelLogout } from './provider/backchannel-logout.js'
import { CachedSigningKeyStore, type SigningKeyStore } from './provider/key-store.js'
import { deleteRetiredKeys, longestTokenLifetimeSeconds, publicationAfterRetirementSeconds } from './provider/keys.js'
import { createLogoutDeliverer, LOGOUT_POST_TIMEOUT_MS } from './provider/logout-token.js'
import type { MailMessage } from './mail/mailer.js'

export interface Services {
  readonly config: Config
  readonly logger: Logger
  readonly db: Db
  /** Counters of the abuse limits (memory, or Redis with a memory fallback). */
  readonly counters: CounterStore
  readonly mailer: Mailer
  readonly hasher: PasswordHasher
  readonly background: Background
  readonly jobs: Jobs
  /** Prometheus metrics; null with METRICS_ENABLED=false. */
  readonly metrics: Metrics | null
  /** What the domain functions take. */
  readonly auth: AuthContext
  /** The signing keys of ID tokens and session JWTs (the same as auth.signingKeys). */
  readonly signingKeys: SigningKeyStore
  /** Queues back-channel logout tokens (the OpenID Connect provider hands it the library's). */
  readonly backchannelLogout: BackchannelLogout
  /** Delivers the outbox's due messages now, without the job's lease (an operator's
   *  command sends the mail it wrote before it exits; each message is still claimed, so
   *  a running service never sends it twice). */
  deliverOutbox: () => Promise<void>
  /** Before serving: the hasher's dummy hash, the failure timing, the scheduled jobs. */
  start: () => Promise<void>
  /** Stops the jobs, waits for background work, then closes every connection. */
  close: () => Promise<void>
}

export interface ServiceOptions {
  readonly logger: Logger
  /** Milliseconds since the epoch; Date.now unless a caller needs otherwise (tests move it
   *  forward). Every expiry and window reads it: sessions, one-time tokens, login flows,
   *  challenges, the abuse limits kept in memory (Redis keeps its own time), the outbox's
   *  retries. Job leases between instances stay on the real clock. */
  readonly now?: () => number
  /** Who receives the security events, inside the transaction of each change. */
  readonly eventSubscribers?: readonly SecurityEventSubscriber[]
}

const SWEEP_INTERVAL_MS = 10 * 60 * 1000

/** The expired-row sweep: the rows of every table whose rows expire, in batches. */
export async function sweepExpiredRows (db: Db, now: number): Promise<void> {
  await deleteExpiredSessions(db, now)
  await deleteExpiredTokens(db, now)
  await deleteExpiredChallenges(db, now)
  await deleteExpiredLoginFlows(db, now)
  await deleteExpiredUpstreamFlows(db, now)
  await deleteExpiredOidcRecords(db, now)
}
const OUTBOX_JOB = 'outbox'
const BACKCHANNEL_LOGOUT_JOB = 'back-channel logout'
const OUTBOX_WAKE_DELAY_MS = 50
/** How long the outbox keeps the record (never the body) of a sent message, and a given-up one. */
const SENT_MAIL_RETENTION_MS = 7 * 24 * 3600 * 1000
const FAILED_MAIL_RETENTION_MS = 30 * 24 * 3600 * 1000
/** This process among the instances: host, pid and 32 random bits (the holder of job leases). */
const INSTANCE_ID = `${os.hostname().slice(0, 32)}-${process.pid}-${randomBytes(4).toString('hex')}`

export async function createServices (config: Config, { logger, now = Date.now, eventSubscribers = [] }: ServiceOptions): Promise<Services> {
  const db = createDb(config.database, logger)
  const counters = await createCounterStore(config, logger, now)
  // Metrics read the hasher's queue when scraped; the hasher is made just below.
  const metrics = config.metrics.enabled ? createMetrics({ hashQueueDepth: () => hasher.queueDepth(), outboxPending: async () => await countPendingMessages(db), instance: config.metrics.instance }) : null
  const mailer = createMailer(config.mail, logger)
  const hasher = createPasswordHasher({
    threads: config.hashing.threads || defaultHashThreads(),
    queueLimit: config.hashing.queueLimit,
    onComputed: metrics?.observeHash
  })
  const outages = createOutageLog(logger)
  // Scheduled jobs (the outbox's sender polls every second) and background work that fail
  // for want of the database say so through the outage log: a line per interval, no stacks.
  const quietInOutages = (level: 'warn' | 'error') => (obj: { err?: unknown }, msg: string): void => {
    if (isDatabaseUnavailable(obj.err)) outages.report(obj.err, msg)
    else logger[level](obj, msg)
  }
  const background = createBackground({ error: quietInOutages('error') })
  const jobs = createJobs({ warn: quietInOutages('warn') }, createLeases(db, INSTANCE_ID))
  // One info line per event, bound to its request: sign-in outcomes, throttles, changes.
  const logEvent: SecurityEventSubscriber = (_db, { type, userId, actor, details }) => {
    logger.info({ reqId: actor.requestId, event: type, userId, ip: actor.ip, ...(actor.operator === undefined ? {} : { operator: actor.operator }), ...(details === undefined ? {} : { details }) }, 'security event')
  }
  const secretBox = new SecretBox(config.encryption)
  // Logout tokens for the clients of each session that ends: queued by the job below, and by
  // the events that end sessions in their own transaction (src/provider/backchannel-logout.ts).
  const backchannelLogout = createBackchannelLogout({ db, box: secretBox, now, giveUpAfterMs: config.outbox.giveUpAfterMs, wake: () => { outbox.wake() } })
  // The audit log first (its row is part of the change's transaction), the log line last
  // (it cannot be taken back, so nothing that may still fail comes after it).
  const events = createSecurityEvents([recordAuditEvent, ...(metrics === null ? [] : [metrics.onEvent]), ...eventSubscribers, backchannelLogout.onEvent, logEvent])
  // Read by the session-JWT route, the OpenID Connect provider and the logout tokens; made on first need.
  const maxTokenLifetimeSeconds = longestTokenLifetimeSeconds(config.sessionJwt.ttlSeconds)
  const signingKeys = new CachedSigningKeyStore({ db, box: secretBox, now, maxTokenLifetimeSeconds, warn: quietInOutages('warn') })
  // The outbox's sender, one instance at a time (a lease), woken by each change that
  // wrote a message and otherwise polling; an attempt may take the SMTP steps' bounds, or a
  // logout token's POST. Outside production the POST may go to loopback and private
  // addresses (a test's receiver, a development client); in production never (SSRF).
  const sender = createOutboxSender({
    db,
    box: secretBox,
    deliverers: {
      mail: async body => { await mailer.send(body as MailMessage) },
      logout: createLogoutDeliverer({ signingKeys, issuer: config.publicUrl, now, publicAddressesOnly: config.env === 'production' })
    },
    retryDelayMs: config.outbox.retryDelayMs,
    retryMaxDelayMs: config.outbox.retryMaxDelayMs,
    attemptLeaseMs: Math.max(4 * config.mail.timeoutMs, 2 * LOGOUT_POST_TIMEOUT_MS),
    now,
    log: logger,
    onResult: metrics === null ? undefined : (message, result) => { metrics.countMessage(message.channel, message.kind, result) },
    // Logged by the sender and counted (authsvc_mails_total, authsvc_logout_tokens_total);
    // audited for the account: a mail it did not get, a client that may keep its session.
    onGiveUp: async message => {
      const actor = { ip: null, userAgent: null, requestId: null }
      const details = { outbox_id: message.id, attempts: message.attempts }
      switch (message.channel) {
        case 'mail': return await events.publish(db, { type: 'mail.given_up', userId: message.userId, at: now(), actor, details: { kind: message.kind, ...details } })
        case 'logout': return await events.publish(db, { type: 'oidc.logout_given_up', userId: message.userId, at: now(), actor, details: { client_id: message.recipient, ...details } })
      }
    }
  })
  jobs.every(OUTBOX_JOB, config.outbox.pollIntervalMs, async () => { await sender.deliverDue() }, { exclusive: true, hasWork: async () => await hasDueMessages(db, now()) })
  // A wake is taken up a few milliseconds later: the mail of a burst of sign-ups goes in one batch.
  let wakeTimer: NodeJS.Timeout | undefined
  const outbox = {
    wake: () => {
      wakeTimer ??= setTimeout(() => { wakeTimer = undefined; jobs.trigger(OUTBOX_JOB) }, OUTBOX_WAKE_DELAY_MS).unref()
    }
  }
  // Rows of sessions that ended whichever way (expiry, the sweep, a path without an event):
  // their tokens queued within an interval; an idle pass only reads.
  jobs.every(BACKCHANNEL_LOGOUT_JOB, config.oidc.logoutScanIntervalMs, async () => {
    if (await backchannelLogout.queueEnded() > 0) outbox.wake()
  }, { exclusive: true, hasWork: async () => await backchannelLogout.hasEnded() })
  const auth: AuthContext = { db, config, outbox, counters, hasher, background, events, sessionLookup: createSessionLookup(db), secretBox, signingKeys, now, outages }

  // Failed logins are padded to the slowest stored hash: measured before the first
  // request, and again by each sweep while there is one, to notice when the last legacy
  // hash has been replaced (a hash imported later is noticed at its first login). A
  // database that is down at start delays it to the next sweep; it never stops the start.
  let calibrated = false
  async function calibrateFailures (): Promise<void> {
    try {
      await hasher.calibrate(await findSlowestStoredHash(db))
      calibrated = true
    } catch (err) {
      logger.warn({ err }, 'failed-login timing calibration failed; retried at the next sweep')
    }
  }
  // One instance at a time sweeps and purges (a lease in the database); each calibrates its own timing.
  jobs.every('expired-row sweep', SWEEP_INTERVAL_MS, async () => {
    await sweepExpiredRows(db, now())
    await deleteOldMessages(db, now() - SENT_MAIL_RETENTION_MS, now() - FAILED_MAIL_RETENTION_MS)
    // Retired signing keys, once no token they signed can still be valid (no longer published).
    await deleteRetiredKeys(db, now(), publicationAfterRetirementSeconds(maxTokenLifetimeSeconds))
  }, { exclusive: true })
  if (config.auditRetentionDays > 0) {
    jobs.every('audit retention', SWEEP_INTERVAL_MS, async () => {
      await purgeAuditEvents(db, now() - config.auditRetentionDays * 24 * 3600 * 1000)
    }, { exclusive: true })
  }
  jobs.every('failed-login timing', SWEEP_INTERVAL_MS, async () => {
    if (!calibrated || hasher.padsFailures()) await calibrateFailures()
  })

  let closing: Promise<void> | undefined
  return {
    config,
    logger,
    db,
    counters,
    mailer,
    hasher,
    background,
    jobs,
    metrics,
    auth,
    signingKeys,
    backchannelLogout,
    async deliverOutbox () { await sender.deliverDue() },
    async start () {
      await hasher.warmUp()
      await calibrateFailures()
      jobs.start()
    },
    async close () {
      closing ??= (async () => {
        // The sender takes no new message; what it sends now finishes (each SMTP step is bounded).
        sender.stop()
        await jobs.close()
        // Mail that background work (a reset request) writes now waits in the outbox for the next start.
        await background.drain()
        await signingKeys.close()
        await mailer.close()
        await counters.close()
        await hasher.close()
        await db.destroy()
        outages.close()
      })()
      await closing
    }
  }
}
