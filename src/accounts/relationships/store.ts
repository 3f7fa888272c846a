// SQL for account relationships.

import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface AccountRelationshipRow { workspace_id: string; id: string; account_id: string; relationship_type: string; person_id: string | null; business_id: string | null; created_at: Date; updated_at: Date }

const after = (db: Queryable, page: Page) => (page.afterId ? db`and id > ${page.afterId}` : db``)

export async function insertRelationship(db: Queryable, row: AccountRelationshipRow): Promise<void> {
  await db`insert into account_relationships ${db(row as never)}`
}
export async function getRelationship(db: Queryable, workspaceId: string, accountId: string, id: string): Promise<AccountRelationshipRow | undefined> {
  const [row] = await db<AccountRelationshipRow[]>`select * from account_relationships where workspace_id = ${workspaceId} and account_id = ${accountId} and id = ${id}`
  return row
}
export async function relationshipsOf(db: Queryable, workspaceId: string, accountIds: string[]): Promise<AccountRelationshipRow[]> {
  if (accountIds.length === 0) return []
  return db<AccountRelationshipRow[]>`select * from account_relationships where workspace_id = ${workspaceId} and account_id = any(${accountIds}::uuid[]) order by id`
}
export async function listRelationships(db: Queryable, workspaceId: string, accountId: string, page: Page): Promise<AccountRelationshipRow[]> {
  return db<AccountRelationshipRow[]>`select * from account_relationships where workspace_id = ${workspaceId} and account_id = ${accountId} ${after(db, page)} order by id limit ${page.limit + 1}`
}
export async function updateRelationship(db: Queryable, row: AccountRelationshipRow): Promise<void> {
  await db`update account_relationships set relationship_type = ${row.relationship_type}, person_id = ${row.person_id}, business_id = ${row.business_id}, updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}
export async function deleteRelationship(db: Queryable, workspaceId: string, accountId: string, id: string): Promise<boolean> {
  const rows = await db`delete from account_relationships where workspace_id = ${workspaceId} and account_id = ${accountId} and id = ${id} returning id`
  return rows.length === 1
}
