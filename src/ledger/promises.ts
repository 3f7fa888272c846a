// Money a rail promises to an account now and posts later: an ACH debit Keel originated is money
// into its account from origination, posted only at settlement. The ledger keeps each promise while
// it stands, so every rail's spend window on money in (CREDITS) counts it the one way, from the day
// it was made (the spend days, migration 1700), as a pending hold counts on money out from the day
// it was made. Once kept, the posted entry counts instead; broken (returned, canceled), nothing does.

import { ledgerAccountAt } from './accounts/store.js'
import { spendRefusal } from './plan.js'
import type { Payment, Rejection } from './rules.js'
import { deletePromises, insertPromise, lockSpend, spendLimitsOfAccount } from './store.js'

export interface CreditPromise {
  workspaceId: string
  /** The rail's id for it (the ACH entry's), by which it is ended. */
  id: string
  accountId: string
  amount: bigint
  /** The payment it is, as the spend controls name it; its spend days' kind and type. */
  payment: Payment & { subType: string }
  at: Date
}

/**
 * Promises `amount` to the account, unless its spend controls on money in refuse it (the refusal is
 * returned, and nothing is written). Takes the account's spend lock, then its row, as a ledger batch
 * does: the spend lock so that promises, payments and card messages deciding on the same window are
 * decided one after the other, each seeing those before it; the row so that an account coming to
 * have controls meanwhile makes its days with the promise or after it (ledger_refresh_gates holds the
 * row too), never without it. Both are held to the end of the caller's transaction, which commits
 * the promise with the rail's own rows. A promise of nothing is only checked.
 */
export async function promiseCredit(tx: Parameters<typeof insertPromise>[0], p: CreditPromise): Promise<Rejection | undefined> {
  await lockSpend(tx, [{ workspaceId: p.workspaceId, id: p.accountId }]).execute()
  const account = await ledgerAccountAt(tx, p.workspaceId, p.accountId, p.at, true)
  if (account?.spend_controlled) {
    const limits = await spendLimitsOfAccount(tx, p.workspaceId, p.accountId, p.at)
    const refusal = spendRefusal(account, limits, { direction: 'CREDITS', amount: p.amount, payment: p.payment })
    if (refusal) return refusal
  }
  if (p.amount > 0n) {
    await insertPromise(tx, { workspace_id: p.workspaceId, id: p.id, account_id: p.accountId, kind: p.payment.type, type: p.payment.subType, amount: p.amount, created_at: p.at })
  }
  return undefined
}

/** Ends promises, kept (their money posted in the same transaction) or broken; an id that stands for none is left alone. */
export async function endPromises(tx: Parameters<typeof deletePromises>[0], workspaceId: string, ids: string[]): Promise<void> {
  if (ids.length) await deletePromises(tx, workspaceId, ids)
}
