// Ledger account rows: created by the accounts domain with the limits it computes, and their
// balances as of a time. Balances are read, never written, here: only the posting path
// (src/ledger/store.ts) changes them.

import type { Queryable } from '../../platform/db.js'
import { isoString } from '../../platform/clock.js'
import type { LockedAccount } from '../store.js'

/**
 * An account's gates (ledger_account_holders, kept by migrations 1650 and 1660's triggers), for a
 * read of `ledger_accounts l`: `unverified_holder` and `spend_controlled`.
 */
const gatesOf = (db: Queryable) =>
  db`(select h.unverified_holder from ledger_account_holders h where h.workspace_id = l.workspace_id and h.account_id = l.id) as unverified_holder,
     coalesce((select h.spend_controls is not null from ledger_account_holders h where h.workspace_id = l.workspace_id and h.account_id = l.id), false) as spend_controlled`

/** An account as the ledger keeps it: what a batch locks, and when it was opened. `held` is read at a time (below). */
export type LedgerAccountRow = LockedAccount & { created_at: Date }

/** A new account: no balance, no holder and no spend control yet (triggers keep `unverified_holder` and `spend_controlled`). */
export type NewLedgerAccount = Omit<LedgerAccountRow, 'posted' | 'held' | 'unverified_holder' | 'spend_controlled'>

const asRow = (row: NewLedgerAccount) => ({ ...row, floor: row.floor?.toString() ?? null, ceiling: row.ceiling?.toString() ?? null })

export async function insertLedgerAccount(db: Queryable, row: NewLedgerAccount): Promise<void> {
  const r = asRow(row)
  await db`insert into ledger_accounts (workspace_id, id, kind, account_number, currency, status, access_status, floor, ceiling, created_at)
           values (${r.workspace_id}, ${r.id}, ${r.kind}, ${r.account_number}, ${r.currency}, ${r.status}, ${r.access_status}, ${r.floor}::int8, ${r.ceiling}::int8, ${r.created_at})`
}

/** Inserts the account unless it exists; true when this call created it. */
export async function insertLedgerAccountIfAbsent(db: Queryable, row: NewLedgerAccount): Promise<boolean> {
  const r = asRow(row)
  const rows = await db`insert into ledger_accounts (workspace_id, id, kind, account_number, currency, status, access_status, floor, ceiling, created_at)
           values (${r.workspace_id}, ${r.id}, ${r.kind}, ${r.account_number}, ${r.currency}, ${r.status}, ${r.access_status}, ${r.floor}::int8, ${r.ceiling}::int8, ${r.created_at})
           on conflict (workspace_id, id) do nothing returning id`
  return rows.length === 1
}

/**
 * Accounts with their balances at `now`: a hold past its expiry is not counted, whether or not its
 * expiry has been written yet (reads never write). `lock` locks the rows (FOR UPDATE) for a change
 * of terms.
 */
export async function ledgerAccountsAt(db: Queryable, workspaceId: string, ids: string[], now: Date, lock = false): Promise<LedgerAccountRow[]> {
  if (ids.length === 0) return []
  const rows = await db<LedgerAccountRow[]>`
    select l.workspace_id, l.id, l.kind, l.account_number, l.currency, l.status, l.access_status, l.posted, l.floor, l.ceiling, l.created_at,
      ${gatesOf(db)},
      l.held - coalesce((select sum(h.amount - h.captured) from ledger_holds h
        where h.workspace_id = l.workspace_id and h.account_id = l.id and h.status = 'PENDING' and h.expires_at <= ${isoString(now)}::timestamptz), 0)::int8 as held
    from ledger_accounts l where l.workspace_id = ${workspaceId} and l.id = any(${ids}::uuid[])
    ${lock ? db`for update of l` : db``}`
  return rows
}

export async function ledgerAccountAt(db: Queryable, workspaceId: string, id: string, now: Date, lock = false): Promise<LedgerAccountRow | undefined> {
  return (await ledgerAccountsAt(db, workspaceId, [id], now, lock))[0]
}

/** An account's settled balance as of an instant: the sum of its entries up to then (one index range). */
export async function postedBalanceAsOf(db: Queryable, workspaceId: string, accountId: string, at: Date): Promise<bigint> {
  const [row] = await db<{ total: bigint }[]>`
    select coalesce(sum(amount), 0)::int8 as total from ledger_entries
    where workspace_id = ${workspaceId} and account_id = ${accountId} and created_at <= ${isoString(at)}::timestamptz`
  return row.total
}

/**
 * Changes an account's status and limits (not its balances). The caller holds the row lock
 * (ledgerAccountAt with lock) and has checked the current balances fit the new limits; the table's
 * CHECK constraints hold the line if it did not.
 */
export async function updateLedgerAccountTerms(db: Queryable, workspaceId: string, id: string, terms: { status: string; access_status: string; floor: bigint | null; ceiling: bigint | null }): Promise<void> {
  await db`update ledger_accounts set status = ${terms.status}, access_status = ${terms.access_status},
             floor = ${terms.floor?.toString() ?? null}::int8, ceiling = ${terms.ceiling?.toString() ?? null}::int8
           where workspace_id = ${workspaceId} and id = ${id}`
}

export async function accountNumberTaken(db: Queryable, workspaceId: string, accountNumber: string): Promise<boolean> {
  const rows = await db`select 1 from ledger_accounts where workspace_id = ${workspaceId} and account_number = ${accountNumber}`
  return rows.length > 0
}

/** The accounts with these numbers (a file of entries naming accounts by number), in one read. */
export async function ledgerAccountsByNumbers(db: Queryable, workspaceId: string, accountNumbers: string[]): Promise<LedgerAccountRow[]> {
  if (accountNumbers.length === 0) return []
  return db<LedgerAccountRow[]>`
    select l.workspace_id, l.id, l.kind, l.account_number, l.currency, l.status, l.access_status, l.posted, l.held, l.floor, l.ceiling, l.created_at, ${gatesOf(db)}
    from ledger_accounts l where l.workspace_id = ${workspaceId} and l.account_number = any(${accountNumbers}::text[])`
}

/** The account with this number, if any (a payment rail receiving an entry by account number). */
export async function ledgerAccountByNumber(db: Queryable, workspaceId: string, accountNumber: string): Promise<LedgerAccountRow | undefined> {
  return (await ledgerAccountsByNumbers(db, workspaceId, [accountNumber]))[0]
}
