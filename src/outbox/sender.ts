// The outbox's sender: takes the due messages, a few at a time, and hands each to the
// deliverer of its channel (mail: the SMTP transport). A failed attempt is tried again
// after an exponential backoff with jitter, until the message's give-up time; then it is
// given up (kept, for `authsvc outbox retry`, and reported). It runs as an exclusive job
// (one instance at a time holds its lease), and every attempt is also claimed row by row,
// so that even two senders never deliver one message twice.
import type { SecretBox } from '../auth/secret-box.js'
import type { Db } from '../db/index.js'
import { claimMessage, findDueMessages, markFailed, markRetry, markSent, type OutboxChannel, type OutboxRecord } from './outbox.js'

/** Delivers one message's body; throws when it did not go out. */
export type Deliverer = (body: unknown) => Promise<void>

export type AttemptResult = 'sent' | 'failed' | 'given_up'

export interface SenderLogger {
  warn: (obj: object, msg: string) => void
}

export interface OutboxSenderOptions {
  readonly db: Db
  readonly box: SecretBox
  readonly deliverers: Readonly<Record<OutboxChannel, Deliverer>>
  /** The first retry's delay; each next one doubles, up to maxDelayMs. */
  readonly retryDelayMs: number
  readonly retryMaxDelayMs: number
  /** How long an attempt may take before another sender may try the message again. */
  readonly attemptLeaseMs: number
  readonly now: () => number
  readonly log: SenderLogger
  /** Told of each attempt's result, and of each message given up (the metrics). */
  readonly onResult?: (message: OutboxRecord, result: AttemptResult) => void
  /** Records a message given up (the audit log). */
  readonly onGiveUp?: (message: OutboxRecord) => Promise<void>
}

export interface OutboxSender {
  /** Delivers what is due, until nothing is; returns how many messages it tried. */
  deliverDue: () => Promise<number>
  /** Takes no new message (shutdown): attempts under way finish. */
  stop: () => void
}

const BATCH = 20
/** Messages in flight at once (the SMTP transport pools its connections). */
const CONCURRENCY = 4

/** The delay before attempt `attempts + 1`: doubling from `base`, capped, with half of it random. */
export function retryDelay (attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1))
  return Math.round(delay / 2 + random() * delay / 2)
}

/** The error as the record keeps it: its code and message, never a stack. */
function describe (error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const code = (error as { code?: unknown }).code
  return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message
}

export function createOutboxSender (options: OutboxSenderOptions): OutboxSender {
  const { db, box, now, log } = options
  let stopped = false

  async function attempt (message: OutboxRecord): Promise<void> {
    const claim = await claimMessage(db, box, message, now(), options.attemptLeaseMs)
    if (!claim.taken) return // another sender has it
    const tried = { ...message, attempts: message.attempts + 1 }
    if ('unreadable' in claim) {
      await giveUp(tried, 'its body was sealed with a key that is no longer in ENCRYPTION_KEY')
      return
    }
    try {
      await options.deliverers[message.channel](claim.body)
    } catch (error) {
      const reason = describe(error)
      options.onResult?.(tried, 'failed')
      const at = now()
      if (at >= message.giveUpAt) {
        await giveUp(tried, reason)
        return
      }
      // The last attempt falls on the give-up time, not after it.
      const next = Math.min(message.giveUpAt, at + retryDelay(tried.attempts, options.retryDelayMs, options.retryMaxDelayMs))
      log.warn({ outbox: message.id, channel: message.channel, kind: message.kind, attempts: tried.attempts, error: reason, retryAt: new Date(next).toISOString() }, 'outgoing message failed; tried again later')
      await markRetry(db, message.id, next, reason)
      return
    }
    await markSent(db, message.id, now())
    options.onResult?.(tried, 'sent')
  }

  async function giveUp (message: OutboxRecord, reason: string): Promise<void> {
    await markFailed(db, message.id, reason)
    log.warn({ outbox: message.id, channel: message.channel, kind: message.kind, attempts: message.attempts, error: reason }, 'outgoing message given up (authsvc outbox retry ID sends it again)')
    options.onResult?.(message, 'given_up')
    await options.onGiveUp?.(message)
  }

  return {
    async deliverDue () {
      let tried = 0
      while (!stopped) {
        const due = await findDueMessages(db, now(), BATCH)
        const queue = [...due]
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
          for (let message = queue.shift(); message !== undefined && !stopped; message = queue.shift()) {
            await attempt(message)
            tried++
          }
        }))
        if (due.length < BATCH) break
      }
      return tried
    },
    stop () { stopped = true }
  }
}
