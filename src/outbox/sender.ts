// The outbox's sender: takes the due messages, a few at a time, and hands each to the
// deliverer of its channel (mail: the SMTP transport). A failed attempt is tried again
// after an exponential backoff with jitter, until the message's give-up time; then it is
// given up (kept, for `authsvc outbox retry`, and reported). It runs as an exclusive job
// (one instance at a time holds its lease), and every attempt is also claimed (a batch at
// a time, one conditional UPDATE), so that even two senders never deliver one message twice.
import type { SecretBox } from '../auth/secret-box.js'
import type { Db } from '../db/index.js'
import { type ClaimedMessage, claimDueMessages, markFailed, markRetry, markSent, type OutboxChannel, type OutboxRecord } from './outbox.js'

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

  /** Delivers one claimed message; true when it went out (marked sent with its batch). */
  async function attempt (message: ClaimedMessage): Promise<boolean> {
    if ('unreadable' in message) {
      await giveUp(message, 'its body was sealed with a key that is no longer in ENCRYPTION_KEY')
      return false
    }
    try {
      await options.deliverers[message.channel](message.body)
      return true
    } catch (error) {
      const reason = describe(error)
      options.onResult?.(message, 'failed')
      const at = now()
      if (at >= message.giveUpAt) {
        await giveUp(message, reason)
        return false
      }
      // The last attempt falls on the give-up time, not after it.
      const next = Math.min(message.giveUpAt, at + retryDelay(message.attempts, options.retryDelayMs, options.retryMaxDelayMs))
      log.warn({ outbox: message.id, channel: message.channel, kind: message.kind, attempts: message.attempts, error: reason, retryAt: new Date(next).toISOString() }, 'outgoing message failed; tried again later')
      await markRetry(db, message.id, next, reason)
      return false
    }
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
        const queue = await claimDueMessages(db, box, now(), BATCH, options.attemptLeaseMs)
        const claimed = queue.length
        const sent: ClaimedMessage[] = []
        await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
          // Once stopped, what is claimed and not tried waits for its lease to end.
          for (let message = queue.shift(); message !== undefined && !stopped; message = queue.shift()) {
            if (await attempt(message)) sent.push(message)
            tried++
          }
        }))
        // One statement for the batch (a burst of sign-ups costs one, not one each).
        await markSent(db, sent.map(message => message.id), now())
        for (const message of sent) options.onResult?.(message, 'sent')
        if (claimed < BATCH) break
      }
      return tried
    },
    stop () { stopped = true }
  }
}
