import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { afterFailure, retryDelayBaseMs, retryDelayMaxMs, retryDelayMs, retryJitterFraction, retryWindowMs, webhookAttemptsMax } from './schedule.js'

describe('webhook retry schedule', () => {
  it('doubles from the base delay and caps it, with the jitter centred (random = 0.5)', () => {
    assert.equal(retryDelayMs(1, 0.5), retryDelayBaseMs)
    assert.equal(retryDelayMs(2, 0.5), 2 * retryDelayBaseMs)
    assert.equal(retryDelayMs(5, 0.5), 16 * retryDelayBaseMs)
    assert.equal(retryDelayMs(40, 0.5), retryDelayMaxMs)
  })

  it('keeps every delay within the jitter band', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
      const plain = Math.min(retryDelayBaseMs * 2 ** Math.min(n - 1, 30), retryDelayMaxMs)
      const d = retryDelayMs(n, r)
      return d >= plain * (1 - retryJitterFraction) - 1 && d <= plain * (1 + retryJitterFraction) + 1
    }), { seed: 4242 })
  })

  it('fails after the last attempt', () => {
    const start = new Date('2026-01-01T00:00:00Z')
    assert.equal(afterFailure({ attemptsMade: webhookAttemptsMax, roundStartedAt: start, now: start, random: 0.5 }).status, 'FAILED')
    const next = afterFailure({ attemptsMade: 1, roundStartedAt: start, now: start, random: 0.5 })
    assert.deepEqual(next, { status: 'RETRYING', at: new Date(start.getTime() + retryDelayBaseMs) })
  })

  it('never schedules past the retry window, and the whole schedule spans close to it', () => {
    const start = new Date('2026-01-01T00:00:00Z')
    for (const random of [0, 0.5, 0.999]) {
      let now = start
      let attempts = 1
      for (;;) {
        const step = afterFailure({ attemptsMade: attempts, roundStartedAt: start, now, random })
        if (step.status === 'FAILED') break
        assert.ok(step.at.getTime() - start.getTime() <= retryWindowMs)
        now = step.at
        attempts++
      }
      assert.ok(attempts <= webhookAttemptsMax)
      // The last attempt lands within a day of the window's end: the schedule uses the window.
      assert.ok(retryWindowMs - (now.getTime() - start.getTime()) < 24 * 3600_000, `random ${random}: last attempt at ${(now.getTime() - start.getTime()) / 3600_000} h`)
    }
  })
})
