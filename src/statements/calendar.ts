// Statement cycles are calendar months in US Eastern time. A day here is a calendar date
// (YYYY-MM-DD) in America/New_York; its start and end are the UTC instants of its midnights, found
// through Intl's time-zone data (no hand-written DST rules).

import { assert } from '../platform/assert.js'
import { dayMs } from '../platform/clock.js'

export const cycleTimeZone = 'America/New_York'

const dateOf = new Intl.DateTimeFormat('en-CA', { timeZone: cycleTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
const offsetOf = new Intl.DateTimeFormat('en-US', { timeZone: cycleTimeZone, timeZoneName: 'longOffset' })

const dayPattern = /^(\d{4})-(\d\d)-(\d\d)$/
const partsOf = (day: string): [number, number, number] => {
  const m = dayPattern.exec(day)
  assert(m, `a calendar day: ${day}`)
  return [Number(m[1]), Number(m[2]), Number(m[3])]
}
const format = (utcMs: number) => new Date(utcMs).toISOString().slice(0, 10)

/** The Eastern calendar day an instant falls on. */
export function easternDayOf(at: Date): string {
  return dateOf.format(at)
}

/** The zone's offset from UTC at an instant, in ms (e.g. -5 h in winter). */
function offsetMsAt(utcMs: number): number {
  const name = offsetOf.formatToParts(new Date(utcMs)).find((p) => p.type === 'timeZoneName')!.value
  if (name === 'GMT') return 0
  const m = /^GMT([+-])(\d\d):(\d\d)$/.exec(name)
  assert(m, `an offset name: ${name}`)
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 3_600_000 + Number(m[3]) * 60_000)
}

/** The instant an Eastern day begins (its midnight; DST changes happen at 2 a.m., never at midnight). */
export function startOfDay(day: string): Date {
  const [y, m, d] = partsOf(day)
  const wall = Date.UTC(y, m - 1, d)
  // The offset at the guess, then at the result: they agree unless the guess straddled a change.
  let at = wall - offsetMsAt(wall)
  at = wall - offsetMsAt(at)
  assert(easternDayOf(new Date(at)) === day && easternDayOf(new Date(at - 1)) !== day, `midnight of ${day}`)
  return new Date(at)
}

export const addDays = (day: string, n: number): string => {
  const [y, m, d] = partsOf(day)
  return format(Date.UTC(y, m - 1, d) + n * dayMs)
}
export const nextDay = (day: string) => addDays(day, 1)
/** The instant a day ends: the start of the next. */
export const endOfDay = (day: string): Date => startOfDay(nextDay(day))

export const monthStartOf = (day: string) => day.slice(0, 8) + '01'
export function monthEndOf(day: string): string {
  const [y, m] = partsOf(day)
  return format(Date.UTC(y, m, 1) - dayMs)
}
export const isMonthEnd = (day: string) => monthEndOf(day) === day
export const daysInMonth = (day: string) => Number(monthEndOf(day).slice(8))
export function daysInYear(day: string): number {
  const y = partsOf(day)[0]
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 366 : 365
}
/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  const [ya, ma, da] = partsOf(a)
  const [yb, mb, db] = partsOf(b)
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / dayMs)
}
