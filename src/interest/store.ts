// SQL for interest: each account's position (accrued and not paid, and what of it compounds).

import type { Queryable } from '../platform/db.js'

export interface PositionRow { accrued_micro: bigint; capitalised_micro: bigint }

/** The account's position, locked for the day close's transaction (created at zero on first use). */
export async function lockPosition(tx: Queryable, workspaceId: string, accountId: string): Promise<PositionRow> {
  await tx`insert into interest_positions (workspace_id, account_id) values (${workspaceId}, ${accountId}) on conflict do nothing`
  const [row] = await tx<PositionRow[]>`select accrued_micro, capitalised_micro from interest_positions where workspace_id = ${workspaceId} and account_id = ${accountId} for update`
  return row
}
export async function savePosition(tx: Queryable, workspaceId: string, accountId: string, p: PositionRow): Promise<void> {
  await tx`update interest_positions set accrued_micro = ${p.accrued_micro}, capitalised_micro = ${p.capitalised_micro} where workspace_id = ${workspaceId} and account_id = ${accountId}`
}
/** Accrued and not yet paid, in micro-units (0 for an account that never accrued). */
export async function accruedOf(db: Queryable, workspaceId: string, accountId: string): Promise<bigint> {
  const [row] = await db<{ accrued_micro: bigint }[]>`select accrued_micro from interest_positions where workspace_id = ${workspaceId} and account_id = ${accountId}`
  return row?.accrued_micro ?? 0n
}
/** Accrued and not yet paid, in micro-units, of each of these accounts that has a position (one read). */
export async function accruedOfMany(db: Queryable, workspaceId: string, accountIds: readonly string[]): Promise<Map<string, bigint>> {
  const rows = await db<{ account_id: string; accrued_micro: bigint }[]>`select account_id, accrued_micro from interest_positions where workspace_id = ${workspaceId} and account_id = any(${accountIds as string[]}::uuid[])`
  return new Map(rows.map((r) => [r.account_id, r.accrued_micro]))
}
