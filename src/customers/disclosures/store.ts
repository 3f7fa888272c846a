import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface DisclosureRow {
  workspace_id: string
  id: string
  person_id: string | null
  business_id: string | null
  acknowledging_person_id: string | null
  type: string
  version: string
  event_type: string
  disclosure_date: Date
  metadata: Record<string, unknown> | null
  created_at: Date
  updated_at: Date
}

export async function insertDisclosure(db: Queryable, row: DisclosureRow): Promise<void> {
  await db`insert into disclosures ${db(row as never)}`
}

export async function getDisclosure(db: Queryable, workspaceId: string, id: string): Promise<DisclosureRow | undefined> {
  const [row] = await db<DisclosureRow[]>`select * from disclosures where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export interface DisclosureFilter { id?: string[]; person_id?: string[]; business_id?: string[]; acknowledging_person_id?: string[] }

export async function listDisclosures(db: Queryable, workspaceId: string, filter: DisclosureFilter, page: Page): Promise<DisclosureRow[]> {
  const any = (column: string, values: string[] | undefined) => (values?.length ? db`and ${db(column)} = any(${values}::uuid[])` : db``)
  return db<DisclosureRow[]>`
    select * from disclosures
    where workspace_id = ${workspaceId}
      ${any('id', filter.id)} ${any('person_id', filter.person_id)} ${any('business_id', filter.business_id)}
      ${any('acknowledging_person_id', filter.acknowledging_person_id)}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}
