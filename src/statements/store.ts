// SQL for the day close and statements. The period reads (activity, lowest balance, transactions)
// read the ledger's append-only entries by account and time, as postedBalanceAsOf does.

import type { Queryable } from '../platform/db.js'
import type { Page } from '../platform/pagination.js'

export async function lastClosedDay(db: Queryable, workspaceId: string): Promise<string | undefined> {
  const [row] = await db<{ day: string }[]>`select to_char(last_closed_day, 'YYYY-MM-DD') as day from time_cursors where workspace_id = ${workspaceId}`
  return row?.day
}
export async function markClosed(db: Queryable, workspaceId: string, day: string): Promise<void> {
  await db`insert into time_cursors (workspace_id, last_closed_day) values (${workspaceId}, ${day})
           on conflict (workspace_id) do update set last_closed_day = greatest(time_cursors.last_closed_day, excluded.last_closed_day)`
}

/**
 * Claims an account's close of a day; false when it is taken (another process closed it, or is
 * closing it: the insert waits for that transaction, then finds the row).
 */
export async function claimAccountDay(tx: Queryable, workspaceId: string, accountId: string, day: string, now: Date): Promise<boolean> {
  const rows = await tx`insert into time_account_days (workspace_id, account_id, day, balance, rate_bps, accrued_micro, created_at)
                        values (${workspaceId}, ${accountId}, ${day}, 0, 0, 0, ${now}) on conflict do nothing returning 1`
  return rows.length === 1
}
export async function recordAccountDay(tx: Queryable, workspaceId: string, accountId: string, day: string, d: { balance: bigint; rateBps: number; accruedMicro: bigint }): Promise<void> {
  await tx`update time_account_days set balance = ${d.balance}, rate_bps = ${d.rateBps}, accrued_micro = ${d.accruedMicro}
           where workspace_id = ${workspaceId} and account_id = ${accountId} and day = ${day}`
}
export async function accruedBetween(db: Queryable, workspaceId: string, accountId: string, from: string, to: string): Promise<bigint> {
  const [row] = await db<{ total: bigint }[]>`select coalesce(sum(accrued_micro), 0)::int8 as total from time_account_days
    where workspace_id = ${workspaceId} and account_id = ${accountId} and day between ${from} and ${to}`
  return row.total
}

export interface StatementRow {
  workspace_id: string; id: string; account_id: string; start_date: string; end_date: string; issue_date: string
  period_start: Date; period_end: Date; opening_balance: bigint; closing_balance: bigint; total_credits: bigint; total_debits: bigint
  interest_paid: bigint; fees_charged: bigint; fees_owed: bigint; interest_accrued_micro: bigint; apy_bps: number | null; currency: string; created_at: Date
}
const statementColumns = (db: Queryable) => db`workspace_id, id, account_id, to_char(start_date, 'YYYY-MM-DD') as start_date, to_char(end_date, 'YYYY-MM-DD') as end_date,
  to_char(issue_date, 'YYYY-MM-DD') as issue_date, period_start, period_end, opening_balance, closing_balance, total_credits, total_debits,
  interest_paid, fees_charged, fees_owed, interest_accrued_micro, apy_bps, currency, created_at`

export async function insertStatement(db: Queryable, row: StatementRow): Promise<void> {
  await db`insert into statements ${db(row as never)}`
}
export async function getStatement(db: Queryable, workspaceId: string, id: string): Promise<StatementRow | undefined> {
  const [row] = await db<StatementRow[]>`select ${statementColumns(db)} from statements where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
export async function listStatements(db: Queryable, workspaceId: string, accountId: string, page: Page): Promise<StatementRow[]> {
  return db<StatementRow[]>`select ${statementColumns(db)} from statements where workspace_id = ${workspaceId} and account_id = ${accountId}
    ${page.afterId ? db`and id > ${page.afterId}` : db``} order by id limit ${page.limit + 1}`
}
/** The statement before this one of the same account, for interest earned the previous month. */
export async function previousStatement(db: Queryable, workspaceId: string, accountId: string, startDate: string): Promise<StatementRow | undefined> {
  const [row] = await db<StatementRow[]>`select ${statementColumns(db)} from statements where workspace_id = ${workspaceId} and account_id = ${accountId}
    and start_date < ${startDate} order by start_date desc limit 1`
  return row
}
