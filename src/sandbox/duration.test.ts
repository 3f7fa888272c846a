import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { durationMs } from './duration.js'

describe('ISO 8601 durations', () => {
  const table: [string, number | undefined][] = [
    ['PT36H', 36 * 3_600_000], ['P8D', 8 * 86_400_000], ['P1W', 7 * 86_400_000], ['P1DT2H30M', 86_400_000 + 2.5 * 3_600_000],
    ['PT0.5S', 500], ['PT90S', 90_000], ['PT0S', 0],
    ['P', undefined], ['PT', undefined], ['P1Y', undefined], ['P1M', undefined], ['36H', undefined], ['PT-1H', undefined], ['P1DT', undefined], ['', undefined],
  ]
  for (const [text, ms] of table) it(`${JSON.stringify(text)} → ${ms}`, () => assert.equal(durationMs(text), ms))
})
