import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

/** The parts of an address the API stores and returns as given (kept in `fields`). */
export interface AddressFields {
  address_line_1: string
  address_line_2?: string
  city: string
  state: string
  postal_code?: string
  country_code: string
  nickname?: string
  is_registered_agent?: true
}

export interface AddressRow {
  workspace_id: string
  id: string
  customer_id: string | null
  business_id: string | null
  address_type: string
  is_active: boolean
  fields: AddressFields
  created_at: Date
  updated_at: Date
}

export async function insertAddress(db: Queryable, row: AddressRow): Promise<void> {
  await db`insert into addresses ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}

export async function getAddress(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<AddressRow | undefined> {
  const [row] = await db<AddressRow[]>`
    select * from addresses where workspace_id = ${workspaceId} and id = ${id} ${options.forUpdate ? db`for update` : db``}`
  return row
}

export async function updateAddress(db: Queryable, row: AddressRow): Promise<void> {
  await db`
    update addresses set is_active = ${row.is_active}, fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export interface AddressFilter {
  customer_id?: string
  business_id?: string
  /** Alpha-2. */
  country_code?: string
  address_type?: string
  is_active?: boolean
  is_registered_agent?: boolean
}

export async function listAddresses(db: Queryable, workspaceId: string, filter: AddressFilter, page: Page): Promise<AddressRow[]> {
  const { customer_id, business_id, country_code, address_type, is_active, is_registered_agent } = filter
  return db<AddressRow[]>`
    select * from addresses
    where workspace_id = ${workspaceId}
      ${customer_id !== undefined ? db`and customer_id = ${customer_id}` : db``}
      ${business_id !== undefined ? db`and business_id = ${business_id}` : db``}
      ${country_code !== undefined ? db`and fields->>'country_code' = ${country_code}` : db``}
      ${address_type !== undefined ? db`and address_type = ${address_type}` : db``}
      ${is_active !== undefined ? db`and is_active = ${is_active}` : db``}
      ${is_registered_agent !== undefined ? db`and coalesce((fields->>'is_registered_agent')::boolean, false) = ${is_registered_agent}` : db``}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}
