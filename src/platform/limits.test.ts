import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RateLimiter, rateBucketsMax } from './limits.js'

describe('RateLimiter', () => {
  it('drops the least recently used bucket when full, whichever name was taken last', () => {
    const limiter = new RateLimiter(0.001, 1, () => 0)
    // Spend the token of "first" (created first), then of every other name up to the bound.
    assert.equal(limiter.take('first'), 0)
    for (let i = 1; i < rateBucketsMax; i++) limiter.take(`n${i}`)
    // "first" used again (refused: no token), so it is the most recently used; "n1" is the oldest.
    assert.ok(limiter.take('first') > 0)
    limiter.take('new')
    // "n1" was dropped (a fresh bucket has a token again); "first" kept its empty bucket.
    assert.ok(limiter.take('first') > 0)
    assert.equal(limiter.take('n1'), 0)
  })

  it('keeps counting a name taken many times in a row', () => {
    const limiter = new RateLimiter(1, 3, () => 0)
    assert.deepEqual([1, 2, 3, 4, 5].map(() => limiter.take('only')), [0, 0, 0, 1, 1])
  })
})
