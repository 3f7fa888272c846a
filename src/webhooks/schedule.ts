// When a failed delivery is tried again. Pure: the caller passes the clock's time and a random
// number, so the schedule follows sandbox time travel and tests can pin the jitter.

/** A receiver that does not answer 2xx within this is treated as failed (Synctera: about 5 s). */
export const deliveryTimeoutMs = 5_000
/** Attempts per round (the first try and its retries) before a delivery is FAILED. */
export const webhookAttemptsMax = 20
/** First retry delay; each later one doubles, up to retryDelayMaxMs. */
export const retryDelayBaseMs = 10_000
export const retryDelayMaxMs = 6 * 60 * 60 * 1000
/** Each delay is scaled by a random factor in [1 - f, 1 + f], so retries of a burst spread out. */
export const retryJitterFraction = 0.2
/** No attempt is scheduled later than this after a round's first attempt (Synctera: ≈55 hours). */
export const retryWindowMs = 55 * 60 * 60 * 1000

/** The delay before the next attempt, after `attemptsMade` failed attempts (1 or more). */
export function retryDelayMs(attemptsMade: number, random: number): number {
  const exponent = Math.min(attemptsMade - 1, 30)
  const plain = Math.min(retryDelayBaseMs * 2 ** exponent, retryDelayMaxMs)
  return Math.round(plain * (1 - retryJitterFraction + 2 * retryJitterFraction * random))
}

export type NextStep = { status: 'RETRYING'; at: Date } | { status: 'FAILED' }

/** After a failed attempt: another one, or FAILED when attempts or the window are used up. */
export function afterFailure(input: { attemptsMade: number; roundStartedAt: Date; now: Date; random: number }): NextStep {
  if (input.attemptsMade >= webhookAttemptsMax) return { status: 'FAILED' }
  const at = new Date(input.now.getTime() + retryDelayMs(input.attemptsMade, input.random))
  if (at.getTime() - input.roundStartedAt.getTime() > retryWindowMs) return { status: 'FAILED' }
  return { status: 'RETRYING', at }
}
