// Every call the accounts domain makes into the ledger, in one place: the ledger's API is being
// reshaped, and this file is where accounts is re-pointed at it. Nothing else in src/accounts/
// imports from src/ledger/.

import type { Clock } from '../platform/clock.js'
import type { Queryable, Sql, Tx } from '../platform/db.js'
import { recordEvents } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import { releaseDueHolds, releaseDueHoldsIn } from '../ledger/expiry.js'
import { postedEvents } from '../ledger/events.js'
import { amountFromJson, amountToJson } from '../ledger/money.js'
import { closedStatus, floorOf, limitBreach, transactableStatus, type Rejection } from '../ledger/rules.js'
import {
  accountNumberTaken, createTransfers, getLedgerAccount, getLedgerAccounts, insertLedgerAccount, insertLedgerAccountIfAbsent,
  lockAccounts, toState, updateLedgerAccountTerms, type LedgerAccountRow,
} from '../ledger/store.js'

export type { LedgerAccountRow }
export { accountNumberTaken, amountFromJson, closedStatus, floorOf, getLedgerAccount, getLedgerAccounts, insertLedgerAccount, insertLedgerAccountIfAbsent, transactableStatus, updateLedgerAccountTerms }

/** Releases the accounts' holds past their expiry (before a read shows balances). */
export const releaseExpiredHolds = (sql: Sql, clock: Clock, workspaceId: string, accountIds?: string[]): Promise<number> =>
  releaseDueHolds(sql, clock, workspaceId, accountIds)

/** Releases the accounts' holds past `now` inside the caller's transaction; true when any was released. */
export const releaseExpiredHoldsIn = (tx: Tx, workspaceId: string, accountIds: string[], now: Date): Promise<boolean> =>
  releaseDueHoldsIn(tx, workspaceId, accountIds, now)

/** The two balances an account shows: posted, and available (posted less what holds reserve). */
export const balancesOf = (ledger: LedgerAccountRow) => [
  { type: 'ACCOUNT_BALANCE' as const, balance: amountToJson(ledger.posted) },
  { type: 'AVAILABLE_BALANCE' as const, balance: amountToJson(ledger.posted - ledger.held) },
]

/** The limit a change must not put the account in breach of: the reason, or undefined when it fits. */
export const limitBreachOf = (ledger: LedgerAccountRow, floor: bigint | null, ceiling: bigint | null): string | undefined =>
  limitBreach({ ...toState(ledger), floor, ceiling })

/** Locks the accounts in the ledger's order (as every batch does) and reads them: keyed by `${workspaceId}/${id}`. */
export const lockLedgerAccounts = (tx: Queryable, workspaceId: string, ids: string[]) =>
  lockAccounts(tx, ids.map((id) => ({ workspaceId, id })))

/** Moves a closing account's whole balance to its destination, with the transfer's events; the rejection when it cannot. */
export async function sweepClosingBalance(tx: Tx, move: { workspaceId: string; from: string; to: string; amount: bigint; currency: string; reason: unknown }, now: Date): Promise<Rejection | undefined> {
  const [outcome] = await createTransfers(tx, [{
    workspaceId: move.workspaceId, id: uuidv7(), kind: 'ACCOUNT_CLOSURE', type: 'ACCOUNT_TO_ACCOUNT', captureMode: 'IMMEDIATE',
    movement: { debitAccountId: move.from, creditAccountId: move.to, amount: move.amount, currency: move.currency },
    idempotencyKey: null, referenceId: null, memo: 'account closure', expiresAt: null, details: { reason: move.reason },
  }], now)
  if (!outcome.ok) return outcome.rejection
  await Promise.all(recordEvents(tx, postedEvents(outcome.transfer)))
  return undefined
}

/** Credits a sandbox account's opening balance from the workspace's system source; the rejection's detail when it cannot. */
export async function postOpeningBalance(tx: Tx, move: { workspaceId: string; from: string; to: string; amount: bigint; currency: string }, now: Date): Promise<string | undefined> {
  const [opening] = await createTransfers(tx, [{
    workspaceId: move.workspaceId, id: uuidv7(), kind: 'OPENING_BALANCE', type: 'ACCOUNT_BALANCE_ADJUSTMENT', captureMode: 'IMMEDIATE',
    movement: { debitAccountId: move.from, creditAccountId: move.to, amount: move.amount, currency: move.currency },
    idempotencyKey: null, referenceId: null, memo: 'sandbox opening balance', expiresAt: null, details: {},
  }], now)
  return opening.ok ? undefined : opening.rejection.detail
}

