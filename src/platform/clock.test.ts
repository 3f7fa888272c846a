import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { isoString } from './clock.js'

describe('isoString', () => {
  it('writes every date as toISOString does', () => {
    // The whole range a Date holds, and runs of nearby times (the same second, day and year).
    const anyMs = fc.integer({ min: -8.64e15, max: 8.64e15 })
    const near = fc.tuple(anyMs, fc.array(fc.integer({ min: -90_000_000, max: 90_000_000 }), { maxLength: 20 }))
    fc.assert(fc.property(near, ([base, steps]) => {
      for (const ms of [base, ...steps.map((s) => base + s)]) {
        if (Math.abs(ms) > 8.64e15) continue
        const d = new Date(ms)
        assert.equal(isoString(d), d.toISOString())
      }
    }), { seed: 20261202, numRuns: 2000 })
  })

  it('agrees at the edges of seconds, days and years, before 1970 and after 9999', () => {
    const edges = ['1969-12-31T23:59:59.999Z', '1970-01-01T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00.000Z', '2024-02-29T12:00:00.500Z',
      '0000-01-01T00:00:00.000Z', '-000001-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z', '+010000-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z']
    for (const text of edges) {
      const ms = Date.parse(text)
      // (One past the last date a Date holds is not a date: left out.)
      for (const d of [new Date(ms - 1), new Date(ms), new Date(ms + 1), new Date(ms)].filter((x) => !Number.isNaN(x.getTime()))) assert.equal(isoString(d), d.toISOString())
    }
  })

  it('throws for an invalid date, as toISOString does', () => {
    assert.throws(() => isoString(new Date(Number.NaN)), RangeError)
    // …and is not left answering for the last valid one.
    const d = new Date('2026-12-02T10:00:00.123Z')
    assert.equal(isoString(d), '2026-12-02T10:00:00.123Z')
    assert.throws(() => isoString(new Date(Number.NaN)), RangeError)
  })
})
