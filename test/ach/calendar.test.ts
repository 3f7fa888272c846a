// The Fed calendar and the Eastern-time windows, as tables: the observance rules libraries get
// wrong, daylight saving time on both changes, and where an entry made at a given moment goes.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { addBusinessDays, businessDayOnOrAfter, businessDaysBetween, fedClosedWeekdays, isFedBusinessDay } from '../../src/ach/calendar/fed-calendar.js'
import { easternInstant, easternOf, incomingProcessingAt, nextOutgoingWindow } from '../../src/ach/windows/windows.js'
import { placementOf } from '../../src/ach/service.js'

describe('Fed business days', () => {
  const table: [string, boolean, string][] = [
    ['2026-07-03', true, 'Independence Day on a Saturday: the Friday before stays open'],
    ['2026-07-06', true, 'and the Monday after is open too'],
    ['2022-06-20', false, 'Juneteenth on a Sunday closes the Monday after'],
    ['2021-06-18', true, 'Juneteenth was no Fed holiday before 2022'],
    ['2023-01-02', false, 'New Year\'s Day on a Sunday closes Monday 2 January'],
    ['2021-12-31', true, 'New Year\'s Day 2022 on a Saturday: Friday 31 December 2021 stays open'],
    ['2031-05-26', false, 'Memorial Day, last Monday of May'],
    ['2031-11-27', false, 'Thanksgiving, fourth Thursday of November'],
    ['2031-11-28', true, 'the day after Thanksgiving is open'],
    ['2031-10-13', false, 'Columbus Day, second Monday of October'],
    ['2031-01-20', false, 'Martin Luther King Jr. Day, third Monday of January'],
    ['2031-02-17', false, 'Washington\'s Birthday, third Monday of February'],
    ['2031-09-01', false, 'Labor Day, first Monday of September'],
    ['2031-11-11', false, 'Veterans Day on a Tuesday'],
    ['2028-11-10', true, 'Veterans Day on a Saturday: the Friday before stays open'],
    ['2031-05-24', false, 'a Saturday'],
    ['2031-05-25', false, 'a Sunday'],
    ['2031-05-27', true, 'an ordinary Tuesday'],
  ]
  for (const [date, open, why] of table) it(`${date}: ${open ? 'open' : 'closed'} (${why})`, () => assert.equal(isFedBusinessDay(date), open))

  it('computes any year: eleven closures a year, none on a weekend', () => {
    for (let year = 2022; year <= 2060; year++) {
      const closed = fedClosedWeekdays(year)
      assert.ok(closed.size >= 9 && closed.size <= 11, `${year}: ${closed.size}`)
      for (const d of closed) assert.ok(![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()), d)
    }
  })

  it('counts and adds business days across a holiday weekend', () => {
    assert.equal(addBusinessDays('2031-05-23', 1), '2031-05-27')
    assert.equal(businessDayOnOrAfter('2031-05-24'), '2031-05-27')
    assert.equal(businessDaysBetween('2031-05-23', '2031-05-28'), 2)
    assert.equal(businessDaysBetween('2031-05-28', '2031-05-23'), 0)
  })
})

describe('Eastern time windows', () => {
  it('turns Eastern wall times into instants across both daylight saving changes', () => {
    assert.equal(easternInstant('2031-03-07', { hour: 16, minute: 45 }).toISOString(), '2031-03-07T21:45:00.000Z') // EST
    assert.equal(easternInstant('2031-03-10', { hour: 16, minute: 45 }).toISOString(), '2031-03-10T20:45:00.000Z') // EDT from 9 March
    assert.equal(easternInstant('2031-11-03', { hour: 2, minute: 15 }).toISOString(), '2031-11-03T07:15:00.000Z') // EST from 2 November
    assert.deepEqual(easternOf(new Date('2031-07-01T03:59:00Z')), { date: '2031-06-30', minutes: 23 * 60 + 59 })
  })

  const at = (iso: string) => new Date(iso)
  const table: { now: string; body: { is_same_day?: boolean; effective_date?: string; amount: number }; window: string; effective: string; sameDay: boolean; why: string }[] = [
    { now: '2031-05-22T13:00:00Z', body: { is_same_day: true, amount: 500 }, window: 'SAME_DAY_1', effective: '2031-05-22', sameDay: true, why: '9:00 ET: the 10:30 window' },
    { now: '2031-05-22T15:00:00Z', body: { is_same_day: true, amount: 500 }, window: 'SAME_DAY_2', effective: '2031-05-22', sameDay: true, why: '11:00 ET: the 14:45 window' },
    { now: '2031-05-22T20:44:00Z', body: { is_same_day: true, amount: 500 }, window: 'SAME_DAY_3', effective: '2031-05-22', sameDay: true, why: '16:44 ET: just before the cut-off' },
    { now: '2031-05-22T20:45:00Z', body: { is_same_day: true, amount: 500 }, window: 'NEXT_DAY', effective: '2031-05-23', sameDay: false, why: '16:45 ET: past the cut-off, next day' },
    { now: '2031-05-23T21:00:00Z', body: { is_same_day: true, amount: 500 }, window: 'NEXT_DAY', effective: '2031-05-27', sameDay: false, why: 'Friday after the cut-off before Memorial Day: Tuesday' },
    { now: '2031-05-24T15:00:00Z', body: { is_same_day: true, amount: 500 }, window: 'NEXT_DAY', effective: '2031-05-27', sameDay: false, why: 'a Saturday: no same-day window' },
    { now: '2031-05-22T13:00:00Z', body: { is_same_day: true, amount: 100_000_001 }, window: 'NEXT_DAY', effective: '2031-05-23', sameDay: false, why: 'over $1,000,000: next day' },
    { now: '2031-05-22T13:00:00Z', body: { is_same_day: true, amount: 100_000_000 }, window: 'SAME_DAY_1', effective: '2031-05-22', sameDay: true, why: 'exactly $1,000,000 is allowed same-day' },
    { now: '2031-05-22T13:00:00Z', body: { amount: 500 }, window: 'NEXT_DAY', effective: '2031-05-23', sameDay: false, why: 'next-day by default' },
    { now: '2031-05-22T13:00:00Z', body: { effective_date: '2031-05-26', amount: 500 }, window: 'NEXT_DAY', effective: '2031-05-27', sameDay: false, why: 'an effective date on a holiday moves to the next business day' },
  ]
  for (const t of table) {
    it(t.why, () => {
      const p = placementOf(t.body, at(t.now))
      assert.equal(p.window.name, t.window)
      assert.equal(p.effectiveDate, t.effective)
      assert.equal(p.sameDay, t.sameDay)
      assert.ok(p.cutAt.getTime() >= at(t.now).getTime() || !t.sameDay)
      assert.ok(p.settleAt.getTime() > p.cutAt.getTime())
    })
  }

  it('sends returns at the next window of a business day', () => {
    assert.equal(nextOutgoingWindow(at('2031-05-23T21:00:00Z')).cutAt.toISOString(), '2031-05-27T06:15:00.000Z')
    assert.equal(nextOutgoingWindow(at('2031-05-22T13:00:00Z')).window.name, 'SAME_DAY_1')
    assert.equal(incomingProcessingAt('2031-05-26').toISOString(), '2031-05-27T06:15:00.000Z')
  })
})
