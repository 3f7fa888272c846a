import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { daysBetween, daysInMonth, daysInYear, easternDayOf, endOfDay, isMonthEnd, monthEndOf, startOfDay } from './calendar.js'

describe('the Eastern calendar', () => {
  it('finds midnight in Eastern time through DST changes', () => {
    const table: [string, string][] = [
      ['2026-01-15', '2026-01-15T05:00:00.000Z'], // EST
      ['2026-07-04', '2026-07-04T04:00:00.000Z'], // EDT
      ['2026-03-08', '2026-03-08T05:00:00.000Z'], // the day clocks go forward: still EST at midnight
      ['2026-03-09', '2026-03-09T04:00:00.000Z'],
      ['2026-11-01', '2026-11-01T04:00:00.000Z'], // the day clocks go back: still EDT at midnight
      ['2026-11-02', '2026-11-02T05:00:00.000Z'],
    ]
    for (const [day, utc] of table) assert.equal(startOfDay(day).toISOString(), utc, day)
    // A 23-hour and a 25-hour day.
    assert.equal(endOfDay('2026-03-08').getTime() - startOfDay('2026-03-08').getTime(), 23 * 3_600_000)
    assert.equal(endOfDay('2026-11-01').getTime() - startOfDay('2026-11-01').getTime(), 25 * 3_600_000)
  })

  it('names the Eastern day of an instant', () => {
    assert.equal(easternDayOf(new Date('2026-02-01T04:59:59.999Z')), '2026-01-31')
    assert.equal(easternDayOf(new Date('2026-02-01T05:00:00.000Z')), '2026-02-01')
  })

  it('knows month ends, month and year lengths', () => {
    assert.deepEqual(['2026-02-28', '2028-02-28', '2028-02-29', '2026-12-31', '2026-12-30'].map(isMonthEnd), [true, false, true, true, false])
    assert.deepEqual([monthEndOf('2028-02-10'), String(daysInMonth('2026-02-01')), String(daysInYear('2028-05-01')), String(daysInYear('2100-05-01'))], ['2028-02-29', '28', '366', '365'])
    assert.equal(daysBetween('2026-01-30', '2026-03-01'), 30)
  })
})
