// SQL for account products.

import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'

export interface ProductRow { workspace_id: string; id: string; product_type: 'INTEREST' | 'FEE'; fields: Record<string, unknown>; created_at: Date; updated_at: Date }

const after = (db: Queryable, page: Page) => (page.afterId ? db`and id > ${page.afterId}` : db``)

export async function insertProduct(db: Queryable, row: ProductRow): Promise<void> {
  await db`insert into account_products ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}
export async function getProduct(db: Queryable, workspaceId: string, id: string, lock = false): Promise<ProductRow | undefined> {
  const [row] = lock
    ? await db<ProductRow[]>`select * from account_products where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<ProductRow[]>`select * from account_products where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
export async function updateProduct(db: Queryable, row: ProductRow): Promise<void> {
  await db`update account_products set fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at} where workspace_id = ${row.workspace_id} and id = ${row.id}`
}
/** Products of a type; `ratesFrom` and `ratesTo` (YYYY-MM-DD) keep those whose every rate lies within them (productPage). */
export async function listProducts(db: Queryable, workspaceId: string, filter: { product_type: string; ids?: string[]; ratesFrom?: string; ratesTo?: string }, page: Page): Promise<ProductRow[]> {
  return db<ProductRow[]>`
    select * from account_products p where workspace_id = ${workspaceId} and product_type = ${filter.product_type}
      ${filter.ids ? db`and id = any(${filter.ids}::uuid[])` : db``}
      ${filter.ratesFrom ? db`and not exists (select 1 from jsonb_array_elements(p.fields->'rates') r where r->>'valid_from' < ${filter.ratesFrom})` : db``}
      ${filter.ratesTo ? db`and not exists (select 1 from jsonb_array_elements(p.fields->'rates') r where coalesce(r->>'valid_to' <= ${filter.ratesTo}, false) is false)` : db``}
      ${after(db, page)}
    order by id limit ${page.limit + 1}`
}
/** The ids among `ids` that name no product of this type in the workspace. */
export async function unknownProducts(db: Queryable, workspaceId: string, type: 'INTEREST' | 'FEE', ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db<{ id: string }[]>`select id from account_products where workspace_id = ${workspaceId} and product_type = ${type} and id = any(${ids}::uuid[])`
  const found = new Set(rows.map((r) => r.id))
  return ids.filter((id) => !found.has(id))
}
