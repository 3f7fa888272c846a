// Every call the accounts domain makes into the ledger, in one place. Nothing else in
// src/accounts/ imports from src/ledger/.

import type { Queryable, Tx } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { recordEvents } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import {
  accountNumberTaken, amountFromJson, amountToJson, applyInTransaction, closedStatus, expiredStatements, floorOf, insertLedgerAccount,
  insertLedgerAccountIfAbsent, ledgerAccountAt, ledgerAccountsAt, limitBreach, lockAccountsForChange, postedEvents, transactableStatus,
  updateLedgerAccountTerms, type LedgerAccountRow, type LockedAccount,
} from '../ledger/index.js'
import { transferError } from '../transfers/outcomes.js'

export type { LedgerAccountRow, LockedAccount }
export { accountNumberTaken, amountFromJson, closedStatus, floorOf, insertLedgerAccount, insertLedgerAccountIfAbsent, ledgerAccountAt, ledgerAccountsAt, transactableStatus, updateLedgerAccountTerms }

/**
 * The balances an account shows: posted, and available (posted less what live holds reserve); and,
 * for an account with an INTEREST product, the interest accrued and not yet paid (accrued-interest-port.ts).
 */
export const balancesOf = (ledger: Pick<LedgerAccountRow, 'posted' | 'held'>, accruedInterest?: bigint) => [
  { type: 'ACCOUNT_BALANCE' as const, balance: amountToJson(ledger.posted) },
  { type: 'AVAILABLE_BALANCE' as const, balance: amountToJson(ledger.posted - ledger.held) },
  ...(accruedInterest !== undefined ? [{ type: 'ACCRUED_INTEREST_MTD' as const, balance: amountToJson(accruedInterest) }] : []),
]

/** The limit a change must not put the account in breach of: the reason, or undefined when it fits. */
export const limitBreachOf = (ledger: Pick<LedgerAccountRow, 'posted' | 'held'>, floor: bigint | null, ceiling: bigint | null): string | undefined =>
  limitBreach({ posted: ledger.posted, held: ledger.held, floor, ceiling })

/**
 * Locks accounts for a change of their terms, in the ledger's order, expiring first (with their
 * events) the holds past their expiry on them, so that no check counts one. By account id.
 */
export const lockForChange = (tx: Tx, workspaceId: string, ids: string[], now: Date): Promise<Map<string, LockedAccount>> =>
  lockAccountsForChange(tx, workspaceId, ids, now, { expiredStatements })

/** Moves a closing account's whole balance to its destination, with the transfer's events; the refusal as an API error. */
export async function sweepClosingBalance(tx: Tx, move: { workspaceId: string; partnerVerified: boolean; from: string; to: string; amount: bigint; currency: string; reason: unknown }, now: Date): Promise<ApiError | undefined> {
  const [outcome] = await applyInTransaction(tx, [{
    workspaceId: move.workspaceId, now, partnerVerified: move.partnerVerified,
    commands: [{
      id: uuidv7(), kind: 'post',
      legs: [{ accountId: move.from, amount: -move.amount, currency: move.currency }, { accountId: move.to, amount: move.amount, currency: move.currency }],
      meta: { kind: 'ACCOUNT_CLOSURE', type: 'ACCOUNT_TO_ACCOUNT', memo: 'account closure', details: { reason: move.reason } },
    }],
  }], { expiredStatements, nowOf: () => now })
  if (!outcome.ok) {
    const refused = transferError(outcome.code, outcome.detail)
    return new ApiError(refused.code, `the closing balance cannot move: ${outcome.detail}`)
  }
  await Promise.all(recordEvents(tx, postedEvents(outcome.transfers[0])))
  return undefined
}

/** Credits a sandbox account's opening balance from the workspace's system source; the refusal's detail when it cannot. */
export async function postOpeningBalance(tx: Tx, move: { workspaceId: string; from: string; to: string; amount: bigint; currency: string }, now: Date): Promise<string | undefined> {
  const [opening] = await applyInTransaction(tx, [{
    workspaceId: move.workspaceId, now, partnerVerified: true,
    commands: [{
      id: uuidv7(), kind: 'post',
      legs: [{ accountId: move.from, amount: -move.amount, currency: move.currency }, { accountId: move.to, amount: move.amount, currency: move.currency }],
      meta: { kind: 'OPENING_BALANCE', type: 'ACCOUNT_BALANCE_ADJUSTMENT', memo: 'sandbox opening balance' },
    }],
  }], { expiredStatements, nowOf: () => now })
  return opening.ok ? undefined : opening.detail
}

export type { Queryable }
