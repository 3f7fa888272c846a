// Interest on the clock: a day's accrual on the end-of-day balance, and the month's payout from the
// bank's interest-expense account (INTEREST_PAYOUT) through the ledger. The day close
// (src/statements/day-close.ts) calls these inside the account's transaction for the day.

import { ensureBankAccount, type ProductRow } from '../accounts/index.js'
import { applyInTransaction, expiredStatements, postedEvents, type TransferRow } from '../ledger/index.js'
import type { Queryable } from '../platform/db.js'
import { recordEvents } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import { accruable, accrualBaseMicro, closeMonth, dailyInterestMicro, rateOn, type CalculationMethod, type Rate } from './arithmetic.js'
import { lockPosition, savePosition } from './store.js'

/** The records interest writes: kind, and type in the transaction views. */
export const interestKind = 'INTEREST'
export const interestPayoutType = 'INTEREST_PAYOUT'

interface Terms { method: CalculationMethod; schedule: 'MONTHLY' | 'NONE'; rates: Rate[] }
const termsOf = (p: ProductRow): Terms => ({
  method: p.fields.calculation_method as CalculationMethod,
  schedule: p.fields.accrual_payout_schedule as 'MONTHLY' | 'NONE',
  rates: p.fields.rates as Rate[],
})

/** Accrues one day on its end-of-day balance; returns the rate and the day's interest in micro-units. */
export async function accrueDay(tx: Queryable, a: { workspaceId: string; accountId: string; day: string; balance: bigint; product: ProductRow }): Promise<{ rateBps: number; accruedMicro: bigint }> {
  const terms = termsOf(a.product)
  const position = await lockPosition(tx, a.workspaceId, a.accountId)
  const rateBps = rateOn(terms.rates, a.day)
  const accruedMicro = accruable(position.accrued_micro, dailyInterestMicro(accrualBaseMicro(terms.method, a.balance, { accruedMicro: position.accrued_micro, capitalisedMicro: position.capitalised_micro }), rateBps, a.day))
  if (accruedMicro !== 0n) await savePosition(tx, a.workspaceId, a.accountId, { ...position, accrued_micro: position.accrued_micro + accruedMicro })
  return { rateBps, accruedMicro }
}

/**
 * The month's end: pays what accrued, rounded half-up to the cent (MONTHLY), carrying the rest, and
 * capitalises what stays accrued for monthly compounding. Posted at `at` (the cycle's end).
 * A payout the ledger refuses (the account's ceiling) stays accrued for the next month.
 */
export async function payMonth(tx: Queryable, a: { workspaceId: string; accountId: string; currency: string; product: ProductRow; at: Date; partnerVerified: boolean; month: string }): Promise<{ paidCents: bigint; transfer?: TransferRow }> {
  const terms = termsOf(a.product)
  const position = await lockPosition(tx, a.workspaceId, a.accountId)
  const closed = closeMonth(terms.schedule, position.accrued_micro)
  if (closed.paidCents === 0n) {
    await savePosition(tx, a.workspaceId, a.accountId, { accrued_micro: closed.accruedMicro, capitalised_micro: closed.capitalisedMicro })
    return { paidCents: 0n }
  }
  const expense = await ensureBankAccount(tx, a.workspaceId, 'INTEREST_PAYOUT', a.currency, a.at)
  const [result] = await applyInTransaction(tx, [{
    workspaceId: a.workspaceId, now: a.at, partnerVerified: a.partnerVerified,
    commands: [{
      id: uuidv7(), kind: 'post',
      legs: [{ accountId: expense, amount: -closed.paidCents, currency: a.currency }, { accountId: a.accountId, amount: closed.paidCents, currency: a.currency }],
      meta: { kind: interestKind, type: interestPayoutType, memo: `Interest paid, ${a.month}`, details: { interest_product_id: a.product.id, month: a.month } },
    }],
  }], { expiredStatements, nowOf: () => a.at })
  if (!result.ok) {
    await savePosition(tx, a.workspaceId, a.accountId, { accrued_micro: position.accrued_micro, capitalised_micro: position.accrued_micro })
    return { paidCents: 0n }
  }
  await savePosition(tx, a.workspaceId, a.accountId, { accrued_micro: closed.accruedMicro, capitalised_micro: closed.capitalisedMicro })
  const transfer = result.transfers[0]
  await Promise.all(recordEvents(tx, [
    ...postedEvents(transfer),
    { workspaceId: a.workspaceId, type: 'INTEREST.MONTHLY_PAYOUT', resourceId: transfer.id, view: 'posted_transaction', at: transfer.created_at },
  ]))
  return { paidCents: closed.paidCents, transfer }
}
