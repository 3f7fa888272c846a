// The Federal Reserve's business days, computed for any year (no list kept by hand). The Fed is
// closed on weekends and on its eleven holidays. Observance is where libraries trip:
// - a holiday on a Sunday closes the Monday after;
// - a holiday on a Saturday does NOT close the Friday before: the Fed stays open that Friday
//   (https://www.frbservices.org/about/holiday-schedules).
// Dates here are calendar days with no time of day: 'YYYY-MM-DD' strings, computed in UTC.

import { dayMs } from '../../platform/clock.js'

export type IsoDate = string

/** The first year Juneteenth National Independence Day (June 19) is a Fed holiday. */
export const juneteenthFirstYear = 2022

const toDate = (d: IsoDate): Date => new Date(`${d}T00:00:00Z`)
const toIso = (d: Date): IsoDate => d.toISOString().slice(0, 10)

export const addDays = (d: IsoDate, days: number): IsoDate => toIso(new Date(toDate(d).getTime() + days * dayMs))
/** 0 Sunday … 6 Saturday. */
export const weekday = (d: IsoDate): number => toDate(d).getUTCDay()
export const isWeekend = (d: IsoDate): boolean => weekday(d) === 0 || weekday(d) === 6

const iso = (year: number, month: number, day: number): IsoDate => toIso(new Date(Date.UTC(year, month - 1, day)))

/** The n-th (1-based) given weekday of a month; n = -1 for the last. */
function nthWeekday(year: number, month: number, dow: number, n: number): IsoDate {
  if (n > 0) {
    const first = weekday(iso(year, month, 1))
    return iso(year, month, 1 + ((dow - first + 7) % 7) + (n - 1) * 7)
  }
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const last = weekday(iso(year, month, lastDay))
  return iso(year, month, lastDay - ((last - dow + 7) % 7))
}

/** The Fed's holidays of a year, as they fall (before observance), with their names. */
export function fedHolidays(year: number): { date: IsoDate; name: string }[] {
  const list = [
    { date: iso(year, 1, 1), name: 'New Year\'s Day' },
    { date: nthWeekday(year, 1, 1, 3), name: 'Birthday of Martin Luther King, Jr.' },
    { date: nthWeekday(year, 2, 1, 3), name: 'Washington\'s Birthday' },
    { date: nthWeekday(year, 5, 1, -1), name: 'Memorial Day' },
    ...(year >= juneteenthFirstYear ? [{ date: iso(year, 6, 19), name: 'Juneteenth National Independence Day' }] : []),
    { date: iso(year, 7, 4), name: 'Independence Day' },
    { date: nthWeekday(year, 9, 1, 1), name: 'Labor Day' },
    { date: nthWeekday(year, 10, 1, 2), name: 'Columbus Day' },
    { date: iso(year, 11, 11), name: 'Veterans Day' },
    { date: nthWeekday(year, 11, 4, 4), name: 'Thanksgiving Day' },
    { date: iso(year, 12, 25), name: 'Christmas Day' },
  ]
  return list
}

/** The weekdays the Fed is closed in a year: each holiday on a weekday, or the Monday after one on a Sunday. */
export function fedClosedWeekdays(year: number): Set<IsoDate> {
  const closed = new Set<IsoDate>()
  for (const h of fedHolidays(year)) {
    const dow = weekday(h.date)
    if (dow === 0) closed.add(addDays(h.date, 1))
    else if (dow !== 6) closed.add(h.date)
    // Saturday: not observed on the Friday before; the Fed is open.
  }
  return closed
}

const closedByYear = new Map<number, Set<IsoDate>>()
const closedIn = (year: number): Set<IsoDate> => {
  let s = closedByYear.get(year)
  if (!s) { s = fedClosedWeekdays(year); closedByYear.set(year, s) }
  return s
}

export function isFedBusinessDay(d: IsoDate): boolean {
  return !isWeekend(d) && !closedIn(Number(d.slice(0, 4))).has(d)
}

/** How many days a search for a business day may look ahead: far more than any run of closed days. */
const businessDaySearchMax = 14

/** The first business day on or after d. */
export function businessDayOnOrAfter(d: IsoDate): IsoDate {
  let day = d
  for (let i = 0; i < businessDaySearchMax; i++, day = addDays(day, 1)) if (isFedBusinessDay(day)) return day
  throw new Error(`no Fed business day within ${businessDaySearchMax} days of ${d}`)
}

/** The n-th business day after d (n >= 1); d itself need not be one. */
export function addBusinessDays(d: IsoDate, n: number): IsoDate {
  let day = d
  for (let i = 0; i < n; i++) day = businessDayOnOrAfter(addDays(day, 1))
  return day
}

/** Business days from a (exclusive) to b (inclusive); 0 when b <= a. */
export function businessDaysBetween(a: IsoDate, b: IsoDate): number {
  let n = 0
  for (let day = addDays(a, 1); day <= b; day = addDays(day, 1)) if (isFedBusinessDay(day)) n++
  return n
}
