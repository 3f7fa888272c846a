// ACH windows, named in US Eastern time (the Fed's), turned into instants with the platform's time
// zone database (Intl), so daylight saving time is never computed by hand.
//
// Outgoing files are cut at the window an entry is due for:
// - same-day entries at the next same-day window of a business day (10:30, 14:45 or the 16:45
//   cut-off), settling the same day (13:00, 17:00, 18:00);
// - next-day entries at the 02:15 window of their effective date, settling at 08:30 that day.
// Incoming files are processed at 10:30, 14:45, 16:45, 20:00 and 02:15: a future-dated entry
// applies at the first of these on its effective date.

import { addBusinessDays, addDays, businessDayOnOrAfter, isFedBusinessDay, type IsoDate } from '../calendar/fed-calendar.js'

export const easternTimeZone = 'America/New_York'

export interface WallTime { hour: number; minute: number }
export interface OutgoingWindow { name: string; cut: WallTime; settles: WallTime; sameDay: boolean }

/** The next-day window: files cut at 02:15 ET on the effective date, settled at 08:30 ET. */
export const nextDayWindow: OutgoingWindow = { name: 'NEXT_DAY', cut: { hour: 2, minute: 15 }, settles: { hour: 8, minute: 30 }, sameDay: false }
/** The same-day windows, in order; the last one's cut is the same-day cut-off (4:45 pm ET). */
export const sameDayWindows: readonly OutgoingWindow[] = [
  { name: 'SAME_DAY_1', cut: { hour: 10, minute: 30 }, settles: { hour: 13, minute: 0 }, sameDay: true },
  { name: 'SAME_DAY_2', cut: { hour: 14, minute: 45 }, settles: { hour: 17, minute: 0 }, sameDay: true },
  { name: 'SAME_DAY_3', cut: { hour: 16, minute: 45 }, settles: { hour: 18, minute: 0 }, sameDay: true },
]
export const sameDayCutoff: WallTime = sameDayWindows[sameDayWindows.length - 1].cut
/** Every outgoing window of a business day, in the order they are cut. */
export const outgoingWindows: readonly OutgoingWindow[] = [nextDayWindow, ...sameDayWindows]
/** When incoming files are processed, ET. */
export const incomingProcessingTimes: readonly WallTime[] = [
  { hour: 2, minute: 15 }, { hour: 10, minute: 30 }, { hour: 14, minute: 45 }, { hour: 16, minute: 45 }, { hour: 20, minute: 0 },
]
/** NACHA's same-day limit per entry since March 2022: $1,000,000, in cents. */
export const sameDayEntryMaxCents = 100_000_000

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: easternTimeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
})

/** The Eastern wall clock of an instant: its date and minutes past midnight. */
export function easternOf(at: Date): { date: IsoDate; minutes: number } {
  const p = Object.fromEntries(partsFormat.formatToParts(at).map((x) => [x.type, x.value]))
  return { date: `${p.year}-${p.month}-${p.day}`, minutes: Number(p.hour) * 60 + Number(p.minute) }
}

/** The instant of an Eastern wall time on a date (the zone's offset then, from Intl). */
export function easternInstant(date: IsoDate, t: WallTime): Date {
  const guess = Date.parse(`${date}T${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}:00Z`)
  // The offset at the guess, then again at the corrected instant (they differ only across a change).
  let at = guess
  for (let i = 0; i < 2; i++) {
    const seen = easternOf(new Date(at))
    const seenMs = Date.parse(`${seen.date}T00:00:00Z`) + seen.minutes * 60_000
    at += guess - seenMs
  }
  return new Date(at)
}

const minutesOf = (t: WallTime) => t.hour * 60 + t.minute

export interface Placement {
  window: OutgoingWindow
  /** When the file with the entry is cut. */
  cutAt: Date
  /** When the entry settles. */
  settleAt: Date
  effectiveDate: IsoDate
  sameDay: boolean
}

/** Where a same-day entry made at `now` goes: the next same-day window of a business day, or undefined after the cut-off. */
export function sameDayPlacement(now: Date): Placement | undefined {
  const { date, minutes } = easternOf(now)
  if (!isFedBusinessDay(date)) return undefined
  const window = sameDayWindows.find((w) => minutes < minutesOf(w.cut))
  if (!window) return undefined
  return { window, cutAt: easternInstant(date, window.cut), settleAt: easternInstant(date, window.settles), effectiveDate: date, sameDay: true }
}

/** The earliest effective date a next-day entry made at `now` can have: the next business day. */
export function earliestNextDayDate(now: Date): IsoDate {
  return addBusinessDays(easternOf(now).date, 1)
}

/** A next-day entry for an effective date (a business day): cut at 02:15 ET that day, settled at 08:30. */
export function nextDayPlacement(effectiveDate: IsoDate): Placement {
  const date = businessDayOnOrAfter(effectiveDate)
  return { window: nextDayWindow, cutAt: easternInstant(date, nextDayWindow.cut), settleAt: easternInstant(date, nextDayWindow.settles), effectiveDate: date, sameDay: false }
}

/** The next outgoing window of a business day strictly after `now` (where returns we send go). */
export function nextOutgoingWindow(now: Date): { window: OutgoingWindow; cutAt: Date; date: IsoDate } {
  let date = easternOf(now).date
  for (let i = 0; i < 15; i++, date = addDays(date, 1)) {
    if (!isFedBusinessDay(date)) continue
    for (const window of outgoingWindows) {
      const cutAt = easternInstant(date, window.cut)
      if (cutAt.getTime() > now.getTime()) return { window, cutAt, date }
    }
  }
  throw new Error('no outgoing window within 15 days')
}

/** When an incoming entry effective on `date` is processed: the first processing time on its business day. */
export function incomingProcessingAt(date: IsoDate): Date {
  return easternInstant(businessDayOnOrAfter(date), incomingProcessingTimes[0])
}
