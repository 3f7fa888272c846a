// SQL for fees: what could not be charged, owed until funds arrive.

import type { Queryable, Unsent } from '../platform/db.js'

export interface OwedRow {
  workspace_id: string; id: string; account_id: string; fee_product_id: string | null; fee_type: string; currency: string
  amount: bigint; remaining: bigint; cause_id: string | null; created_at: Date; updated_at: Date
}

/** Inserts debts (at least one), one statement, not yet sent: await it, or send it with a batch's writes. */
export function insertOwed(db: Queryable, rows: OwedRow[]): Unsent {
  return db`insert into fees_owed ${db(rows as never)}`
}
/** An account's open debts, oldest first, locked for collection. */
export async function lockOpenOwed(tx: Queryable, workspaceId: string, accountId: string): Promise<OwedRow[]> {
  return tx<OwedRow[]>`select * from fees_owed where workspace_id = ${workspaceId} and account_id = ${accountId} and remaining > 0 order by id for update`
}
export async function reduceOwed(tx: Queryable, workspaceId: string, id: string, remaining: bigint, now: Date): Promise<void> {
  await tx`update fees_owed set remaining = ${remaining}, updated_at = ${now} where workspace_id = ${workspaceId} and id = ${id}`
}
/** Of these accounts, those with a fee still owed. */
export async function accountsOwing(db: Queryable, workspaceId: string, accountIds: string[]): Promise<Set<string>> {
  if (accountIds.length === 0) return new Set()
  const rows = await db<{ account_id: string }[]>`select distinct account_id from fees_owed where workspace_id = ${workspaceId} and account_id = any(${accountIds}::uuid[]) and remaining > 0`
  return new Set(rows.map((r) => r.account_id))
}
export async function owedTotal(db: Queryable, workspaceId: string, accountId: string): Promise<bigint> {
  const [row] = await db<{ total: bigint }[]>`select coalesce(sum(remaining), 0)::int8 as total from fees_owed where workspace_id = ${workspaceId} and account_id = ${accountId}`
  return row.total
}
