// SQL for account products, templates, accounts, account relationships and internal accounts.
// Balances and limits live in ledger_accounts and change only through src/ledger/store.ts.

import type { Queryable } from '../platform/db.js'
import type { Page } from '../platform/pagination.js'

export interface ProductRow { workspace_id: string; id: string; product_type: 'INTEREST' | 'FEE'; fields: Record<string, unknown>; created_at: Date; updated_at: Date }
export interface TemplateRow { workspace_id: string; id: string; name: string; account_type: string; is_enabled: boolean; fields: Record<string, unknown>; created_at: Date; updated_at: Date }
export interface AccountRow {
  workspace_id: string
  id: string
  account_type: string
  account_template_id: string | null
  status: string
  access_status: string
  customer_type: string | null
  nickname: string | null
  interest_product_id: string | null
  general_ledger_type: string | null
  fields: Record<string, unknown>
  access_status_updated_at: Date | null
  created_at: Date
  updated_at: Date
}
export interface AccountRelationshipRow { workspace_id: string; id: string; account_id: string; relationship_type: string; person_id: string | null; business_id: string | null; created_at: Date; updated_at: Date }
export interface InternalAccountRow { workspace_id: string; id: string; is_sandbox_funding: boolean; fields: Record<string, unknown>; created_at: Date; updated_at: Date }

const after = (db: Queryable, page: Page) => (page.afterId ? db`and id > ${page.afterId}` : db``)

// Products

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
export async function listProducts(db: Queryable, workspaceId: string, filter: { product_type: string; id?: string; from?: Date; to?: Date }, page: Page): Promise<ProductRow[]> {
  return db<ProductRow[]>`
    select * from account_products where workspace_id = ${workspaceId} and product_type = ${filter.product_type}
      ${filter.id ? db`and id = ${filter.id}` : db``}
      ${filter.from ? db`and created_at >= ${filter.from}` : db``} ${filter.to ? db`and created_at < ${filter.to}` : db``}
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

// Templates

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

// Accounts

export async function insertAccount(db: Queryable, row: AccountRow): Promise<void> {
  await db`insert into accounts ${db({ ...row, fields: db.json(row.fields as never) } as never)}`
}
export async function getAccount(db: Queryable, workspaceId: string, id: string, lock = false): Promise<AccountRow | undefined> {
  const [row] = lock
    ? await db<AccountRow[]>`select * from accounts where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<AccountRow[]>`select * from accounts where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
export async function updateAccount(db: Queryable, row: AccountRow): Promise<void> {
  await db`update accounts set status = ${row.status}, access_status = ${row.access_status}, nickname = ${row.nickname},
             interest_product_id = ${row.interest_product_id}, fields = ${db.json(row.fields as never)},
             access_status_updated_at = ${row.access_status_updated_at}, updated_at = ${row.updated_at}
           where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export interface AccountFilter {
  id?: string[]; account_number?: string[]; status?: string[]; account_type?: string; customer_type?: string; nickname?: string
  person_id?: string[]; business_id?: string[]; customer_id?: string; interest_product_id?: string; general_ledger_type?: string
  first_name?: string; last_name?: string
}

// GENERAL_LEDGER accounts are listed only when asked for by account_type, as the spec says.

export async function listAccounts(db: Queryable, workspaceId: string, f: AccountFilter, page: Page): Promise<AccountRow[]> {
  const persons = [...(f.person_id ?? []), ...(f.customer_id ? [f.customer_id] : [])]
  return db<AccountRow[]>`
    select a.* from accounts a
    ${f.account_number?.length ? db`join ledger_accounts l on l.workspace_id = a.workspace_id and l.id = a.id and l.account_number = any(${f.account_number}::text[])` : db``}
    where a.workspace_id = ${workspaceId}
      ${f.id?.length ? db`and a.id = any(${f.id}::uuid[])` : db``}
      ${f.status?.length ? db`and a.status = any(${f.status}::text[])` : db``}
      ${f.account_type ? db`and a.account_type = ${f.account_type}` : db`and a.account_type <> 'GENERAL_LEDGER'`}
      ${f.customer_type ? db`and a.customer_type = ${f.customer_type}` : db``}
      ${f.nickname ? db`and a.nickname = ${f.nickname}` : db``}
      ${f.interest_product_id ? db`and a.interest_product_id::text = ${f.interest_product_id}` : db``}
      ${f.general_ledger_type ? db`and a.general_ledger_type = ${f.general_ledger_type}` : db``}
      ${persons.length ? db`and exists (select 1 from account_relationships r where r.workspace_id = a.workspace_id and r.account_id = a.id and r.person_id = any(${persons}::uuid[]))` : db``}
      ${f.business_id?.length ? db`and exists (select 1 from account_relationships r where r.workspace_id = a.workspace_id and r.account_id = a.id and r.business_id = any(${f.business_id}::uuid[]))` : db``}
      ${f.first_name || f.last_name ? db`and exists (select 1 from account_relationships r join persons p on p.workspace_id = r.workspace_id and p.id = r.person_id
          where r.workspace_id = a.workspace_id and r.account_id = a.id
          ${f.first_name ? db`and p.first_name = ${f.first_name}` : db``} ${f.last_name ? db`and p.last_name = ${f.last_name}` : db``})` : db``}
      ${page.afterId ? db`and a.id > ${page.afterId}` : db``}
    order by a.id limit ${page.limit + 1}`
}

/** Of the given persons and businesses, those that hold or share at least one account (for has_accounts). */
export async function partiesWithAccounts(db: Queryable, workspaceId: string, partyIds: string[]): Promise<Set<string>> {
  if (partyIds.length === 0) return new Set()
  const rows = await db<{ party_id: string }[]>`
    select distinct coalesce(person_id, business_id) as party_id from account_relationships
    where workspace_id = ${workspaceId} and (person_id = any(${partyIds}::uuid[]) or business_id = any(${partyIds}::uuid[]))`
  return new Set(rows.map((r) => r.party_id))
}

// Account relationships

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

// Internal accounts

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
