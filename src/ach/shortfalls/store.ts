// SQL for what accounts owe for returned debits (service.ts): each shortfall, what remains, and when
// it is next collected on the workspace clock.

import type { Queryable } from '../../platform/db.js'

export interface ShortfallRow {
  workspace_id: string
  id: string
  account_id: string
  outgoing_ach_id: string
  trace_no: string
  currency: string
  amount: bigint
  remaining: bigint
  next_collection_at: Date
  created_at: Date
  updated_at: Date
}

export async function insertShortfall(db: Queryable, r: ShortfallRow): Promise<void> {
  await db`insert into ach_shortfalls ${db({ ...r, amount: r.amount.toString(), remaining: r.remaining.toString() } as never)}`
}

/** Accounts with a shortfall whose collection falls due at or before `until`, earliest first. */
export async function accountsWithShortfallDue(db: Queryable, workspaceId: string, until: Date, limit: number): Promise<string[]> {
  const rows = await db<{ account_id: string }[]>`
    select account_id from ach_shortfalls where workspace_id = ${workspaceId} and remaining > 0 and next_collection_at <= ${until}
    group by account_id order by min(next_collection_at), account_id limit ${limit}`
  return rows.map((r) => r.account_id)
}

/** An account's open shortfalls, oldest first, locked for collection. */
export async function lockOpenShortfalls(db: Queryable, workspaceId: string, accountId: string): Promise<ShortfallRow[]> {
  return db<ShortfallRow[]>`select * from ach_shortfalls where workspace_id = ${workspaceId} and account_id = ${accountId} and remaining > 0 order by id for update`
}

export async function updateShortfall(db: Queryable, r: Pick<ShortfallRow, 'workspace_id' | 'id' | 'remaining' | 'next_collection_at' | 'updated_at'>): Promise<void> {
  await db`update ach_shortfalls set remaining = ${r.remaining.toString()}, next_collection_at = ${r.next_collection_at}, updated_at = ${r.updated_at}
           where workspace_id = ${r.workspace_id} and id = ${r.id}`
}

/** What an account still owes for returned debits. */
export async function shortfallOwed(db: Queryable, workspaceId: string, accountId: string): Promise<bigint> {
  const [row] = await db<{ total: bigint }[]>`select coalesce(sum(remaining), 0)::int8 as total from ach_shortfalls where workspace_id = ${workspaceId} and account_id = ${accountId}`
  return row.total
}
