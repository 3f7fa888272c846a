import type { Fragment } from 'postgres'
import { assert } from '../../platform/assert.js'
import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'
import { keysetAfter, orderBy } from '../../platform/sorting.js'

/** The fields the API only stores and returns (kept in the `fields` jsonb column). */
export interface StoredPersonFields {
  chosen_name?: string
  middle_name?: string
  legal_address?: Record<string, unknown>
  shipping_address?: Record<string, unknown>
  metadata?: Record<string, unknown>
  ssn_source?: 'MANUAL'
  /** Notes sent with ban_status changes: write-only in the API, kept for the operator's record. */
  notes?: { text: string; time: string }[]
}

export interface PersonRow {
  workspace_id: string
  id: string
  is_customer: boolean
  status: string
  verification_status: string
  verification_last_run: Date | null
  /** The customer's kyc_status where it differs from verification_status (PROVIDER_FAILURE); null otherwise. */
  kyc_status?: string | null
  ban_status: string
  first_name: string | null
  last_name: string | null
  email: string | null
  phone_number: string | null
  /** YYYY-MM-DD, read as text so that no time zone can shift the day. */
  dob: string | null
  ssn_encrypted: string | null
  ssn_last4: string | null
  fields: StoredPersonFields
  created_at: Date
  updated_at: Date
  /** Computed on read by `hasAccounts`, never stored. */
  has_accounts: boolean
}

export interface PersonalIdRow {
  workspace_id: string
  id: string
  person_id: string
  id_type: string
  country_code: string
  identifier_encrypted: string
  identifier_last4: string
  system_provided: boolean
  created_at: Date
  updated_at: Date
}

/**
 * Whether the person (the row `persons` in the query) holds an account: any account relationship
 * names it. One SQL fragment, so the `has_accounts` field and filter cannot disagree.
 */
export function hasAccounts(db: Queryable): Fragment {
  return db`exists (select 1 from account_relationships ar
                    where ar.workspace_id = persons.workspace_id and ar.person_id = persons.id)`
}

const columns = (db: Queryable) => db`
  workspace_id, id, is_customer, status, verification_status, kyc_status, verification_last_run, ban_status, first_name, last_name,
  email, phone_number, dob::text as dob, ssn_encrypted, ssn_last4, fields, created_at, updated_at, ${hasAccounts(db)} as has_accounts`

export async function insertPerson(db: Queryable, row: PersonRow): Promise<void> {
  const { has_accounts: _computed, ...stored } = row
  await db`insert into persons ${db({ ...stored, fields: db.json(stored.fields as never) } as never)}`
}

// NO KEY UPDATE, not UPDATE: a change must not wait on (or deadlock with) the key-share locks that
// inserts referencing the person (relationships, disclosures, personal ids) take on it.
export async function getPerson(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<PersonRow | undefined> {
  const [row] = await db<PersonRow[]>`
    select ${columns(db)} from persons where workspace_id = ${workspaceId} and id = ${id}
    ${options.forUpdate ? db`for no key update` : db``}`
  return row
}

export async function updatePerson(db: Queryable, row: PersonRow): Promise<void> {
  await db`
    update persons set is_customer = ${row.is_customer}, status = ${row.status}, ban_status = ${row.ban_status},
      first_name = ${row.first_name}, last_name = ${row.last_name}, email = ${row.email}, phone_number = ${row.phone_number},
      dob = ${row.dob}::date, ssn_encrypted = ${row.ssn_encrypted}, ssn_last4 = ${row.ssn_last4},
      fields = ${db.json(row.fields as never)}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

/** The ids of the persons whose legal or shipping address has this postal code, as a subquery for another domain's filter. */
export function personIdsAtPostalCode(db: Queryable, workspaceId: string, postalCode: string): Fragment {
  return db`select id from persons where workspace_id = ${workspaceId}
    and (fields->'legal_address'->>'postal_code' = ${postalCode} or fields->'shipping_address'->>'postal_code' = ${postalCode})`
}

/** Marks the person changed without touching its fields (its personal ids or its accounts changed). */
export async function touchPerson(db: Queryable, workspaceId: string, id: string, now: Date): Promise<void> {
  await db`update persons set updated_at = ${now} where workspace_id = ${workspaceId} and id = ${id}`
}

export type PersonSortKey = 'created_at' | 'first_name' | 'last_name' | 'updated_at'

export interface PersonFilter {
  id?: string[]
  /** LIKE patterns (wildcards already translated). Names and email match case-insensitively. */
  first_name?: string
  last_name?: string
  email?: string
  phone_number?: string
  ssn_last4?: string
  status?: string
  is_customer?: boolean
  has_accounts?: boolean
  ban_status?: string[]
  sort: { key: PersonSortKey; descending: boolean }[]
}

/** Where a page resumes: the previous page's last id, and its row when a sort order needs its values. */
export interface PageAnchor { id: string; row?: PersonRow }

// Names are optional; sorting treats a missing name as the empty string so that the keyset
// comparison below never meets a NULL.
const sortExpression = (db: Queryable, key: PersonSortKey) =>
  key === 'first_name' || key === 'last_name' ? db`coalesce(${db(key)}, '')` : db`${db(key)}`
const sortValue = (row: PersonRow, key: PersonSortKey): unknown =>
  key === 'first_name' || key === 'last_name' ? (row[key] ?? '') : row[key]

/**
 * Keyset pagination over (sort keys…, id): rows strictly after the anchor (the last row of the
 * previous page) in the requested order. Without sort_by the order is by id, i.e. creation.
 */
function after(db: Queryable, sort: PersonFilter['sort'], anchor: PageAnchor): Fragment {
  if (sort.length === 0) return db`and id > ${anchor.id}`
  const row = anchor.row
  assert(row !== undefined, 'a sorted page resumes from a row that exists')
  return db`and ${keysetAfter(db, [...sort.map((s) => ({ expr: sortExpression(db, s.key), value: sortValue(row, s.key), descending: s.descending })),
    { expr: db`id`, value: anchor.id, descending: false }])}`
}

export async function listPersons(db: Queryable, workspaceId: string, filter: PersonFilter, page: Page, anchor: PageAnchor | undefined): Promise<PersonRow[]> {
  const order = orderBy(db, [...filter.sort.map((s) => ({ expr: sortExpression(db, s.key), descending: s.descending })), { expr: db`id`, descending: false }])
  return db<PersonRow[]>`
    select ${columns(db)} from persons
    where workspace_id = ${workspaceId}
      ${filter.id?.length ? db`and id = any(${filter.id}::uuid[])` : db``}
      ${filter.first_name !== undefined ? db`and (first_name ilike ${filter.first_name} or fields->>'chosen_name' ilike ${filter.first_name})` : db``}
      ${filter.last_name !== undefined ? db`and last_name ilike ${filter.last_name}` : db``}
      ${filter.email !== undefined ? db`and email ilike ${filter.email}` : db``}
      ${filter.phone_number !== undefined ? db`and phone_number like ${filter.phone_number}` : db``}
      ${filter.ssn_last4 !== undefined ? db`and ssn_last4 = ${filter.ssn_last4}` : db``}
      ${filter.status !== undefined ? db`and status = ${filter.status}` : db``}
      ${filter.is_customer !== undefined ? db`and is_customer = ${filter.is_customer}` : db``}
      ${filter.has_accounts !== undefined ? db`and ${hasAccounts(db)} = ${filter.has_accounts}` : db``}
      ${filter.ban_status?.length ? db`and ban_status = any(${filter.ban_status}::text[])` : db``}
      ${anchor ? after(db, filter.sort, anchor) : db``}
    order by ${order} limit ${page.limit + 1}`
}

export async function insertPersonalId(db: Queryable, row: PersonalIdRow): Promise<void> {
  await db`insert into personal_ids ${db(row as never)}`
}

export async function getPersonalId(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<PersonalIdRow | undefined> {
  const [row] = await db<PersonalIdRow[]>`
    select * from personal_ids where workspace_id = ${workspaceId} and id = ${id} ${options.forUpdate ? db`for update` : db``}`
  return row
}

export async function updatePersonalId(db: Queryable, row: PersonalIdRow): Promise<void> {
  await db`
    update personal_ids set country_code = ${row.country_code}, identifier_encrypted = ${row.identifier_encrypted},
      identifier_last4 = ${row.identifier_last4}, updated_at = ${row.updated_at}
    where workspace_id = ${row.workspace_id} and id = ${row.id}`
}

export async function deletePersonalId(db: Queryable, workspaceId: string, id: string): Promise<void> {
  await db`delete from personal_ids where workspace_id = ${workspaceId} and id = ${id}`
}

/** The personal ids of each of the given persons, in creation order. */
export async function personalIdsOf(db: Queryable, workspaceId: string, personIds: string[]): Promise<Map<string, PersonalIdRow[]>> {
  const byPerson = new Map<string, PersonalIdRow[]>(personIds.map((id) => [id, []]))
  if (personIds.length === 0) return byPerson
  const rows = await db<PersonalIdRow[]>`
    select * from personal_ids where workspace_id = ${workspaceId} and person_id = any(${personIds}::uuid[]) order by id`
  for (const row of rows) byPerson.get(row.person_id)!.push(row)
  return byPerson
}
