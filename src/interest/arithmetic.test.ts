// The interest arithmetic against hand-computed cases. Figures in micro-units (millionths of a cent).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isMonthEnd } from '../statements/calendar.js'
import { accruedShownMinor, closeMonth, dailyInterestMicro, divRoundHalfUp, payout, rateOn, runDays, type CalculationMethod, type Rate } from './arithmetic.js'

const daysOf = (from: string, n: number, balance: (i: number) => bigint) => Array.from({ length: n }, (_, i) => {
  const d = new Date(Date.parse(from + 'T00:00:00Z') + i * 86_400_000).toISOString().slice(0, 10)
  return { day: d, balance: balance(i) }
})
const fivePercent: Rate[] = [{ rate: 500, valid_from: '2000-01-01' }]

describe('interest arithmetic', () => {
  it('rounds half away from zero', () => {
    const table: [bigint, bigint, bigint][] = [[5n, 2n, 3n], [4n, 2n, 2n], [7n, 2n, 4n], [-5n, 2n, -3n], [1n, 3n, 0n], [2n, 3n, 1n], [0n, 9n, 0n]]
    for (const [n, d, want] of table) assert.equal(divRoundHalfUp(n, d), want, `${n}/${d}`)
  })

  it('accrues one day on the end-of-day balance, actual/actual', () => {
    const table: [string, bigint, number, string, bigint][] = [
      // $10,000 at 5%: 10^12 micro × 500 ÷ (10,000 × 365) = 136,986,301.37 → 136,986,301
      ['2026, 365 days', 1_000_000n, 500, '2026-01-15', 136_986_301n],
      // a leap year: ÷ (10,000 × 366) = 136,612,021.86 → 136,612,022
      ['2028, 366 days', 1_000_000n, 500, '2028-01-15', 136_612_022n],
      ['29 February 2028', 1_000_000n, 500, '2028-02-29', 136_612_022n],
      // 1 cent at 36.5%: 10^6 × 3,650 ÷ 3,650,000 = 1,000
      ['one cent', 1n, 3650, '2026-06-01', 1_000n],
      ['zero balance', 0n, 500, '2026-06-01', 0n],
      ['negative balance earns nothing', -1_000_000n, 500, '2026-06-01', 0n],
      ['zero rate', 1_000_000n, 0, '2026-06-01', 0n],
    ]
    for (const [name, balance, rate, day, want] of table) assert.equal(dailyInterestMicro(balance * 1_000_000n, rate, day), want, name)
  })

  it('takes the rate whose period holds the day: valid_from inclusive, valid_to exclusive', () => {
    const rates: Rate[] = [{ rate: 500, valid_from: '2026-01-01', valid_to: '2026-01-16' }, { rate: 1000, valid_from: '2026-01-16' }]
    assert.deepEqual(['2025-12-31', '2026-01-01', '2026-01-15', '2026-01-16', '2027-01-01'].map((d) => rateOn(rates, d)), [0, 500, 500, 1000, 1000])
  })

  it('compounds monthly: simple within the month, paid at its end', () => {
    // 31 days × 136,986,301 = 4,246,575,331 → pays 4,247 cents, carries −424,669
    const r = runDays('COMPOUNDED_MONTHLY', 'MONTHLY', fivePercent, daysOf('2026-01-01', 31, () => 1_000_000n), isMonthEnd)
    assert.deepEqual(r.paidCents, [4247n])
    assert.equal(r.accruedMicro, -424_669n)
    assert.ok(r.dailyMicro.every((d) => d === 136_986_301n))
  })

  it('compounds daily: each day earns on the interest accrued before it', () => {
    const r = runDays('COMPOUNDED_DAILY', 'NONE', fivePercent, daysOf('2026-01-01', 2, () => 1_000_000n), isMonthEnd)
    // day 2: (10^12 + 136,986,301) × 500 ÷ 3,650,000 = 137,005,066.62 → 137,005,067
    assert.deepEqual(r.dailyMicro, [136_986_301n, 137_005_067n])
    const month: Record<CalculationMethod, bigint[]> = { COMPOUNDED_DAILY: [], COMPOUNDED_MONTHLY: [] }
    for (const m of ['COMPOUNDED_DAILY', 'COMPOUNDED_MONTHLY'] as const) month[m] = runDays(m, 'MONTHLY', fivePercent, daysOf('2026-01-01', 31, () => 1_000_000n), isMonthEnd).paidCents
    // Daily compounding over a month: 10,000 × ((1 + 0.05/365)^31 − 1) = 42.553… → 4,255 cents
    assert.deepEqual(month.COMPOUNDED_DAILY, [4255n])
    assert.deepEqual(month.COMPOUNDED_MONTHLY, [4247n])
  })

  it('applies a rate change on its date, mid-month', () => {
    // 15 days at 5% (136,986,301) + 16 days at 10% (273,972,603) = 6,438,356,163 → 6,438 cents, carries 356,163
    const rates: Rate[] = [{ rate: 500, valid_from: '2026-01-01', valid_to: '2026-01-16' }, { rate: 1000, valid_from: '2026-01-16' }]
    const r = runDays('COMPOUNDED_MONTHLY', 'MONTHLY', rates, daysOf('2026-01-01', 31, () => 1_000_000n), isMonthEnd)
    assert.deepEqual(r.paidCents, [6438n])
    assert.equal(r.accruedMicro, 356_163n)
  })

  it('earns nothing while the balance is below zero, and again once it is back', () => {
    // 1,000 dollars at 36.5%: 100 cents a day; the day at −500 earns nothing
    const balances = [100_000n, -50_000n, 100_000n]
    const r = runDays('COMPOUNDED_MONTHLY', 'NONE', [{ rate: 3650, valid_from: '2026-01-01' }], daysOf('2026-03-01', 3, (i) => balances[i]), isMonthEnd)
    assert.deepEqual(r.dailyMicro, [100_000_000n, 0n, 100_000_000n])
  })

  it('rounds half-up to the cent at payout and carries the remainder', () => {
    const table: [bigint, bigint, bigint][] = [
      [1_500_000n, 2n, -500_000n], [1_499_999n, 1n, 499_999n], [2_500_000n, 3n, -500_000n], [999_999n, 1n, -1n], [0n, 0n, 0n],
    ]
    for (const [accrued, cents, rest] of table) assert.deepEqual(payout(accrued), { cents, remainderMicro: rest }, String(accrued))
    // Less than half a cent stays accrued rather than paying nothing or taking money back.
    assert.deepEqual(closeMonth('MONTHLY', 403_000n), { paidCents: 0n, accruedMicro: 403_000n, capitalisedMicro: 403_000n })
    // 13 cents at 36.5%: 13,000 a day; January 403,000 (nothing paid, capitalised); February on
    // 13,403,000: 13,403 a day × 28 = 375,284, so 778,284 → 1 cent, carries −221,716
    const r = runDays('COMPOUNDED_MONTHLY', 'MONTHLY', [{ rate: 3650, valid_from: '2026-01-01' }], daysOf('2026-01-01', 59, () => 13n), isMonthEnd)
    assert.deepEqual(r.paidCents, [0n, 1n])
    assert.equal(r.accruedMicro, -221_716n)
  })

  it('shows the accrued figure as a payout would round it, never below zero', () => {
    const table: [bigint, bigint][] = [[0n, 0n], [499_999n, 0n], [500_000n, 1n], [1_499_999n, 1n], [1_500_000n, 2n], [-221_716n, 0n], [-500_000n, 0n]]
    for (const [accrued, shown] of table) assert.equal(accruedShownMinor(accrued), shown, String(accrued))
  })
})
