// Interest arithmetic, pure and exact: bigint micro-units (millionths of a minor unit), never
// floating point. Accrual is daily on the end-of-day balance (rate_details' only supported
// accrual_period); a day's interest is balance × rate ÷ days in that year (actual/actual), rounded
// half-up to the micro-unit. Payout rounds the accrued total half-up to the cent and carries the
// remainder (which may be negative) into the next period, so nothing is lost or made up over time.

import { assert } from '../platform/assert.js'
import { daysInYear } from '../statements/calendar.js'

/** Micro-units per minor unit (cent). */
export const microPerMinor = 1_000_000n
const bpsPerUnit = 10_000n

export type CalculationMethod = 'COMPOUNDED_DAILY' | 'COMPOUNDED_MONTHLY'
export interface Rate { rate: number; valid_from: string; valid_to?: string }

/** n ÷ d rounded half away from zero (half-up in magnitude), d > 0. */
export function divRoundHalfUp(n: bigint, d: bigint): bigint {
  assert(d > 0n, 'a positive divisor')
  if (n < 0n) return -divRoundHalfUp(-n, d)
  return (2n * n + d) / (2n * d)
}

/** The rate in basis points on a day: the period with valid_from ≤ day < valid_to; 0 outside every period. */
export function rateOn(rates: readonly Rate[], day: string): number {
  const r = rates.find((x) => x.valid_from <= day && (x.valid_to === undefined || day < x.valid_to))
  return r ? r.rate : 0
}

/** What a day's interest is computed on, in micro-units: the balance, plus accrued interest as the method compounds it. */
export function accrualBaseMicro(method: CalculationMethod, balance: bigint, position: { accruedMicro: bigint; capitalisedMicro: bigint }): bigint {
  const compounded = method === 'COMPOUNDED_DAILY' ? position.accruedMicro : position.capitalisedMicro
  return balance * microPerMinor + compounded
}

/**
 * The most accrued and unpaid interest an account's position keeps, in micro-units: 2^62 - 1 (about
 * $46 billion), half of what its 64-bit columns hold, so that a statement's sum of a period's days
 * fits too. A day's accrual that would pass it is cut to it (accruable): a rate the spec allows (up
 * to 2^31 - 1 basis points) on a balance the ledger allows then never overflows a column.
 */
export const accruedMicroMax = 2n ** 62n - 1n

/** A day's interest as it accrues onto `accruedMicro`: all of it, or what is left below accruedMicroMax. */
export function accruable(accruedMicro: bigint, dayMicro: bigint): bigint {
  const room = accruedMicroMax - accruedMicro
  return dayMicro > room ? (room > 0n ? room : 0n) : dayMicro
}

/** One day's interest in micro-units; nothing on a base at or below zero. */
export function dailyInterestMicro(baseMicro: bigint, rateBps: number, day: string): bigint {
  assert(Number.isInteger(rateBps) && rateBps >= 0, 'a rate in whole basis points')
  if (baseMicro <= 0n || rateBps === 0) return 0n
  return divRoundHalfUp(baseMicro * BigInt(rateBps), bpsPerUnit * BigInt(daysInYear(day)))
}

/** A payout of accrued interest: whole cents rounded half-up, and the remainder carried. */
export function payout(accruedMicro: bigint): { cents: bigint; remainderMicro: bigint } {
  const cents = divRoundHalfUp(accruedMicro, microPerMinor)
  return { cents, remainderMicro: accruedMicro - cents * microPerMinor }
}

/**
 * The accrued-not-paid figure an account shows (ACCRUED_INTEREST_MTD), in minor units: what a
 * payout of it would pay now, rounded half-up to the cent as payout() rounds; a carried remainder
 * below half a cent shows as 0, and a negative carry (never paid nor taken back) as 0 too.
 */
export function accruedShownMinor(accruedMicro: bigint): bigint {
  const { cents } = payout(accruedMicro)
  return cents > 0n ? cents : 0n
}

export interface DayInput { day: string; balance: bigint }
export interface PeriodResult { accruedMicro: bigint; capitalisedMicro: bigint; paidCents: bigint[]; dailyMicro: bigint[] }

/**
 * Runs days in order (the same steps the day close takes, for tests and reasoning): accrue each
 * day; at each month's last day, pay out (MONTHLY) and capitalise what stays accrued.
 */
export function runDays(method: CalculationMethod, schedule: 'MONTHLY' | 'NONE', rates: readonly Rate[], days: readonly DayInput[], monthEnd: (day: string) => boolean, start = { accruedMicro: 0n, capitalisedMicro: 0n }): PeriodResult {
  let { accruedMicro, capitalisedMicro } = start
  const paidCents: bigint[] = []
  const dailyMicro: bigint[] = []
  for (const d of days) {
    const today = accruable(accruedMicro, dailyInterestMicro(accrualBaseMicro(method, d.balance, { accruedMicro, capitalisedMicro }), rateOn(rates, d.day), d.day))
    dailyMicro.push(today)
    accruedMicro += today
    if (monthEnd(d.day)) {
      const closed = closeMonth(schedule, accruedMicro)
      if (schedule === 'MONTHLY') paidCents.push(closed.paidCents)
      accruedMicro = closed.accruedMicro
      capitalisedMicro = closed.capitalisedMicro
    }
  }
  return { accruedMicro, capitalisedMicro, paidCents, dailyMicro }
}

/** The month's end: what is paid (MONTHLY), what stays accrued, and what compounds from now on. */
export function closeMonth(schedule: 'MONTHLY' | 'NONE', accruedMicro: bigint): { paidCents: bigint; accruedMicro: bigint; capitalisedMicro: bigint } {
  if (schedule === 'NONE') return { paidCents: 0n, accruedMicro, capitalisedMicro: accruedMicro }
  const { cents, remainderMicro } = payout(accruedMicro)
  // A negative payout would take money back: keep it accrued instead (only a tiny negative carry can do this).
  if (cents <= 0n) return { paidCents: 0n, accruedMicro, capitalisedMicro: accruedMicro }
  return { paidCents: cents, accruedMicro: remainderMicro, capitalisedMicro: remainderMicro }
}

/**
 * Annual percentage yield in whole basis points (the spec shows it as a percentage to two places)
 * for a rate compounded daily or monthly, for display (not money); at most apyBpsMax, what the
 * statement's column keeps (a rate of millions of percent compounds past any number).
 */
export function apyBps(rateBps: number, method: CalculationMethod): number {
  const n = method === 'COMPOUNDED_DAILY' ? 365 : 12
  return Math.min(Math.round(((1 + rateBps / 10_000 / n) ** n - 1) * 10_000), apyBpsMax)
}
export const apyBpsMax = 2 ** 31 - 1
