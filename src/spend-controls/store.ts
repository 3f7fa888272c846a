// SQL for spend controls.

import type { Queryable } from '../platform/db.js'

export interface SpendControlRow {
  workspace_id: string
  id: string
  name: string
  is_active: boolean
  action_case: boolean
  action_decline: boolean
  amount_limit: bigint
  direction: 'CREDITS' | 'DEBITS' | null
  merchant_category_codes: string[]
  payment_types: string[]
  payment_sub_types: string[]
  time_range_type: 'SINGLE_TRANSACTION' | 'ROLLING_WINDOW_DAYS'
  window_days: number | null
  created_at: Date
  updated_at: Date
}

export interface SpendControlFilter {
  id?: string[]; name?: string
  /** A control with none applies to debits (the spec), so DEBITS finds it. */
  direction?: string
  is_active?: boolean; payment_type?: string
  amount_limit?: number; amount_limit_gte?: number; amount_limit_lte?: number
}

/** Most spend controls a workspace may have: lists are filtered and sorted in memory, so this bounds them. */
export const spendControlsPerWorkspaceMax = 1000

export async function insertSpendControl(db: Queryable, row: SpendControlRow): Promise<void> {
  await db`insert into spend_controls ${db(row as never)}`
}

export async function updateSpendControl(db: Queryable, row: SpendControlRow): Promise<void> {
  await db`update spend_controls set name = ${row.name}, is_active = ${row.is_active}, action_case = ${row.action_case},
             action_decline = ${row.action_decline}, amount_limit = ${row.amount_limit.toString()}::int8, direction = ${row.direction},
             merchant_category_codes = ${row.merchant_category_codes}::text[], payment_types = ${row.payment_types}::text[],
             payment_sub_types = ${row.payment_sub_types}::text[], time_range_type = ${row.time_range_type}, window_days = ${row.window_days},
             updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export async function getSpendControl(db: Queryable, workspaceId: string, id: string, lock = false): Promise<SpendControlRow | undefined> {
  const [row] = lock
    ? await db<SpendControlRow[]>`select * from spend_controls where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<SpendControlRow[]>`select * from spend_controls where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function countSpendControls(db: Queryable, workspaceId: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from spend_controls where workspace_id = ${workspaceId}`
  return row.n
}

export async function spendControlsByIds(db: Queryable, workspaceId: string, ids: readonly string[]): Promise<SpendControlRow[]> {
  if (ids.length === 0) return []
  return db<SpendControlRow[]>`select * from spend_controls where workspace_id = ${workspaceId} and id = any(${ids as string[]}::uuid[]) order by id`
}

/** Every control matching the filter, by id (at most spendControlsPerWorkspaceMax). */
export async function findSpendControls(db: Queryable, workspaceId: string, f: SpendControlFilter): Promise<SpendControlRow[]> {
  return db<SpendControlRow[]>`
    select * from spend_controls where workspace_id = ${workspaceId}
      ${f.id?.length ? db`and id = any(${f.id}::uuid[])` : db``}
      ${f.name !== undefined ? db`and name = ${f.name}` : db``}
      ${f.direction !== undefined ? db`and coalesce(direction, 'DEBITS') = ${f.direction}` : db``}
      ${f.is_active !== undefined ? db`and is_active = ${f.is_active}` : db``}
      ${f.payment_type !== undefined ? db`and (payment_types = '{}' or ${f.payment_type} = any(payment_types))` : db``}
      ${f.amount_limit !== undefined ? db`and amount_limit = ${f.amount_limit}` : db``}
      ${f.amount_limit_gte !== undefined ? db`and amount_limit >= ${f.amount_limit_gte}` : db``}
      ${f.amount_limit_lte !== undefined ? db`and amount_limit <= ${f.amount_limit_lte}` : db``}
    order by id limit ${spendControlsPerWorkspaceMax}`
}
