// SQL for internal accounts.

import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface InternalAccountRow { workspace_id: string; id: string; is_sandbox_funding: boolean; fields: Record<string, unknown>; created_at: Date; updated_at: Date }

const after = (db: Queryable, page: Page) => (page.afterId ? db`and id > ${page.afterId}` : db``)

export async function insertInternalAccount(db: Queryable, row: InternalAccountRow): Promise<void> {
  await db`insert into internal_accounts ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}
export async function getInternalAccount(db: Queryable, workspaceId: string, id: string, lock = false): Promise<InternalAccountRow | undefined> {
  const [row] = lock
    ? await db<InternalAccountRow[]>`select * from internal_accounts where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<InternalAccountRow[]>`select * from internal_accounts where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
export async function updateInternalAccount(db: Queryable, row: InternalAccountRow): Promise<void> {
  await db`update internal_accounts set fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at} where workspace_id = ${row.workspace_id} and id = ${row.id}`
}
export async function listInternalAccounts(db: Queryable, workspaceId: string, filter: { id?: string[] }, page: Page): Promise<InternalAccountRow[]> {
  return db<InternalAccountRow[]>`
    select * from internal_accounts where workspace_id = ${workspaceId}
      ${filter.id?.length ? db`and id = any(${filter.id}::uuid[])` : db``} ${after(db, page)}
    order by id limit ${page.limit + 1}`
}

/** The workspace's mode, read in the caller's transaction (the funding account exists only in sandboxes). */
export async function workspaceMode(db: Queryable, workspaceId: string): Promise<string | undefined> {
  const [ws] = await db<{ mode: string }[]>`select mode from workspaces where id = ${workspaceId}`
  return ws?.mode
}
