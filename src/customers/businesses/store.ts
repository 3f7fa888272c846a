import type { Fragment } from 'postgres'
import { assert } from '../../platform/assert.js'
import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'
import { keysetAfter, orderBy } from '../../platform/sorting.js'

export interface StoredBusinessFields {
  compliance_restrictions?: string[]
  formation_date?: string
  formation_state?: string
  legal_address?: Record<string, unknown>
  metadata?: Record<string, unknown>
  structure?: string
  trade_names?: string[]
  website?: string
}

export interface BusinessRow {
  workspace_id: string
  id: string
  is_customer: boolean
  status: string
  verification_status: string
  verification_last_run: Date | null
  entity_name: string | null
  email: string | null
  phone_number: string | null
  ein_encrypted: string | null
  ein_last4: string | null
  fields: StoredBusinessFields
  created_at: Date
  updated_at: Date
  /** Computed on read by `hasAccounts`, never stored. */
  has_accounts: boolean
}

/**
 * Whether the business (the row `businesses` in the query) holds an account: any account relationship
 * names it. One SQL fragment, so the `has_accounts` field and filter cannot disagree.
 */
export function hasAccounts(db: Queryable): Fragment {
  return db`exists (select 1 from account_relationships ar
                    where ar.workspace_id = businesses.workspace_id and ar.business_id = businesses.id)`
}

const columns = (db: Queryable) => db`businesses.*, ${hasAccounts(db)} as has_accounts`

export async function insertBusiness(db: Queryable, row: BusinessRow): Promise<void> {
  const { has_accounts: _computed, ...stored } = row
  await db`insert into businesses ${db({ ...stored, fields: db.json(stored.fields as never) } as never)}`
}

// NO KEY UPDATE, not UPDATE: a PATCH must not wait on (or deadlock with) the key-share locks that
// inserts referencing the business (relationships, disclosures) take on it.
export async function getBusiness(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<BusinessRow | undefined> {
  const [row] = await db<BusinessRow[]>`
    select ${columns(db)} from businesses where workspace_id = ${workspaceId} and id = ${id}
    ${options.forUpdate ? db`for no key update` : db``}`
  return row
}

export async function updateBusiness(db: Queryable, row: BusinessRow): Promise<void> {
  await db`
    update businesses set is_customer = ${row.is_customer}, status = ${row.status}, entity_name = ${row.entity_name},
      email = ${row.email}, phone_number = ${row.phone_number}, ein_encrypted = ${row.ein_encrypted}, ein_last4 = ${row.ein_last4},
      fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

/** The ids of the businesses whose legal address has this postal code, as a subquery for another domain's filter. */
export function businessIdsAtPostalCode(db: Queryable, workspaceId: string, postalCode: string): Fragment {
  return db`select id from businesses where workspace_id = ${workspaceId} and fields->'legal_address'->>'postal_code' = ${postalCode}`
}

/** Marks the business changed without touching its fields (its accounts changed). */
export async function touchBusiness(db: Queryable, workspaceId: string, id: string, now: Date): Promise<void> {
  await db`update businesses set updated_at = ${now} where workspace_id = ${workspaceId} and id = ${id}`
}

export type BusinessSortKey = 'created_at' | 'entity_name' | 'updated_at'

export interface BusinessFilter {
  id?: string[]
  /** LIKE patterns (wildcards already translated), matched case-insensitively. */
  entity_name?: string
  phone_number?: string
  status?: string
  is_customer?: boolean
  has_accounts?: boolean
  sort: { key: BusinessSortKey; descending: boolean }[]
}

// entity_name is optional; sorting treats a missing name as the empty string so that the keyset
// comparison below never meets a NULL.
const sortExpression = (db: Queryable, key: BusinessSortKey) => (key === 'entity_name' ? db`coalesce(entity_name, '')` : db`${db(key)}`)
const sortValue = (row: BusinessRow, key: BusinessSortKey) => (key === 'entity_name' ? (row.entity_name ?? '') : row[key])

/**
 * Keyset pagination over (sort keys…, id): rows strictly after the anchor (the last row of the
 * previous page) in the requested order. Without sort_by the order is by id, i.e. creation.
 */
function after(db: Queryable, sort: BusinessFilter['sort'], anchor: PageAnchor): Fragment {
  if (sort.length === 0) return db`and id > ${anchor.id}`
  const row = anchor.row
  assert(row !== undefined, 'a sorted page resumes from a row that exists')
  return db`and ${keysetAfter(db, [...sort.map((s) => ({ expr: sortExpression(db, s.key), value: sortValue(row, s.key), descending: s.descending })),
    { expr: db`id`, value: anchor.id, descending: false }])}`
}

/** Where a page resumes: the previous page's last id, and its row when a sort order needs its values. */
export interface PageAnchor { id: string; row?: BusinessRow }

export async function listBusinesses(db: Queryable, workspaceId: string, filter: BusinessFilter, page: Page, anchor: PageAnchor | undefined): Promise<BusinessRow[]> {
  const order = orderBy(db, [...filter.sort.map((s) => ({ expr: sortExpression(db, s.key), descending: s.descending })), { expr: db`id`, descending: false }])
  return db<BusinessRow[]>`
    select ${columns(db)} from businesses
    where workspace_id = ${workspaceId}
      ${filter.id?.length ? db`and id = any(${filter.id}::uuid[])` : db``}
      ${filter.entity_name !== undefined ? db`and entity_name ilike ${filter.entity_name}` : db``}
      ${filter.phone_number !== undefined ? db`and phone_number like ${filter.phone_number}` : db``}
      ${filter.status !== undefined ? db`and status = ${filter.status}` : db``}
      ${filter.is_customer !== undefined ? db`and is_customer = ${filter.is_customer}` : db``}
      ${filter.has_accounts !== undefined ? db`and ${hasAccounts(db)} = ${filter.has_accounts}` : db``}
      ${anchor ? after(db, filter.sort, anchor) : db``}
    order by ${order} limit ${page.limit + 1}`
}
