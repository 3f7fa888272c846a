// SQL for account templates.

import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface TemplateRow { workspace_id: string; id: string; name: string; account_type: string; is_enabled: boolean; fields: Record<string, unknown>; created_at: Date; updated_at: Date }

const after = (db: Queryable, page: Page) => (page.afterId ? db`and id > ${page.afterId}` : db``)

export async function insertTemplate(db: Queryable, row: TemplateRow): Promise<void> {
  await db`insert into account_templates ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}
export async function getTemplate(db: Queryable, workspaceId: string, id: string): Promise<TemplateRow | undefined> {
  const [row] = await db<TemplateRow[]>`select * from account_templates where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
export async function updateTemplate(db: Queryable, row: TemplateRow): Promise<void> {
  await db`update account_templates set name = ${row.name}, account_type = ${row.account_type}, is_enabled = ${row.is_enabled},
             fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}
export async function deleteTemplate(db: Queryable, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db`delete from account_templates where workspace_id = ${workspaceId} and id = ${id} returning id`
  return rows.length === 1
}
export async function listTemplates(db: Queryable, workspaceId: string, filter: { account_type?: string }, page: Page): Promise<TemplateRow[]> {
  return db<TemplateRow[]>`
    select * from account_templates where workspace_id = ${workspaceId}
      ${filter.account_type ? db`and account_type = ${filter.account_type}` : db``} ${after(db, page)}
    order by id limit ${page.limit + 1}`
}
