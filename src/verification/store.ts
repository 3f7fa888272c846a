import type { Queryable } from '../platform/db.js'
import type { Page } from '../platform/pagination.js'
import type { PostalAddress } from './provider.js'
import type { CurrentResult, VerificationStatus } from './rollup.js'

export type Party = { personId: string; businessId?: undefined } | { businessId: string; personId?: undefined }

export interface PersonRecord {
  id: string
  is_customer: boolean
  verification_status: VerificationStatus
  verification_last_run: Date | null
  first_name: string | null
  middle_name: string | null
  last_name: string | null
  email: string | null
  phone_number: string | null
  dob: string | null
  ssn_encrypted: string | null
  legal_address: PostalAddress | null
  has_personal_id: boolean
}

export interface BusinessRecord {
  id: string
  is_customer: boolean
  verification_status: VerificationStatus
  verification_last_run: Date | null
  entity_name: string | null
  email: string | null
  phone_number: string | null
  ein_encrypted: string | null
  structure: string | null
  trade_names: string[] | null
  legal_address: PostalAddress | null
}

// The legal address is kept in the party's `fields` (as the persons and businesses routes store
// it); an active LEGAL row in `addresses` stands in when the party has none there.
const legalAddressOf = (db: Queryable, party: 'customer_id' | 'business_id', table: 'persons' | 'businesses') => db`
  coalesce(${db(table)}.fields -> 'legal_address',
    (select a.fields from addresses a where a.workspace_id = ${db(table)}.workspace_id and a.${db(party)} = ${db(table)}.id
       and a.address_type = 'LEGAL' and a.is_active order by a.id desc limit 1)) as legal_address`

/** A person as verification reads it, locked against concurrent status changes when asked. */
export async function getPersonRecord(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<PersonRecord | undefined> {
  const [row] = await db<PersonRecord[]>`
    select persons.id, is_customer, verification_status, verification_last_run, first_name, fields ->> 'middle_name' as middle_name, last_name,
      email, phone_number, to_char(dob, 'YYYY-MM-DD') as dob, ssn_encrypted, ${legalAddressOf(db, 'customer_id', 'persons')},
      exists (select 1 from personal_ids p where p.workspace_id = persons.workspace_id and p.person_id = persons.id) as has_personal_id
    from persons where workspace_id = ${workspaceId} and id = ${id}
    ${options.forUpdate ? db`for no key update` : db``}`
  return row
}

export async function getBusinessRecord(db: Queryable, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<BusinessRecord | undefined> {
  const [row] = await db<BusinessRecord[]>`
    select businesses.id, is_customer, verification_status, verification_last_run, entity_name, email, phone_number, ein_encrypted,
      fields ->> 'structure' as structure, fields -> 'trade_names' as trade_names, ${legalAddressOf(db, 'business_id', 'businesses')}
    from businesses where workspace_id = ${workspaceId} and id = ${id}
    ${options.forUpdate ? db`for no key update` : db``}`
  return row
}

/** Owners a business is verified with: beneficial owners of 25% or more, and managing persons. */
export const beneficialOwnershipPercentMin = 25

export interface OwnerLink { person_id: string; relationship_type: string; ownership_percentage: string | null }

export async function listVerifiableOwners(db: Queryable, workspaceId: string, businessId: string): Promise<OwnerLink[]> {
  return db<OwnerLink[]>`
    select distinct on (from_person_id) from_person_id as person_id, relationship_type, ownership_percentage::text
    from relationships
    where workspace_id = ${workspaceId} and to_business_id = ${businessId} and from_person_id is not null
      and ((relationship_type = 'BENEFICIAL_OWNER_OF' and ownership_percentage >= ${beneficialOwnershipPercentMin})
           or relationship_type = 'MANAGING_PERSON_OF')
    order by from_person_id, relationship_type`
}

export interface VerificationRow {
  workspace_id: string
  id: string
  person_id: string | null
  business_id: string | null
  verification_type: string
  result: string
  verification_time: Date
  is_current: boolean
  run_id: string | null
  details: unknown[] | null
  vendor_info: Record<string, unknown> | null
  metadata: Record<string, unknown> | null
  created_at: Date
  updated_at: Date
}

/** Inserts a result as the current one of its type for its party, superseding the previous one. */
export async function insertVerification(tx: Queryable, row: VerificationRow): Promise<void> {
  await tx`
    update verifications set is_current = false, updated_at = ${row.created_at}
    where workspace_id = ${row.workspace_id} and verification_type = ${row.verification_type} and is_current
      and ${row.person_id ? tx`person_id = ${row.person_id}` : tx`business_id = ${row.business_id}`}`
  await tx`insert into verifications ${tx({
    ...row,
    details: row.details ? tx.json(row.details as never) : null,
    vendor_info: row.vendor_info ? tx.json(row.vendor_info as never) : null,
    metadata: row.metadata ? tx.json(row.metadata as never) : null,
  } as never)}`
}

export async function currentResults(db: Queryable, workspaceId: string, party: Party): Promise<CurrentResult[]> {
  return db<CurrentResult[]>`
    select verification_type, result from verifications
    where workspace_id = ${workspaceId} and is_current
      and ${party.personId ? db`person_id = ${party.personId}` : db`business_id = ${party.businessId!}`}`
}

/** Stores a person's status, and its customer kyc_status where that differs (PROVIDER_FAILURE). */
export async function setPersonStatus(tx: Queryable, workspaceId: string, id: string, status: VerificationStatus, at: Date, kyc: string = status): Promise<void> {
  await tx`update persons set verification_status = ${status}, kyc_status = ${kyc === status ? null : kyc}, verification_last_run = ${at}, updated_at = ${at}
           where workspace_id = ${workspaceId} and id = ${id}`
}

export async function setBusinessStatus(tx: Queryable, workspaceId: string, id: string, status: VerificationStatus, at: Date): Promise<void> {
  await tx`update businesses set verification_status = ${status}, verification_last_run = ${at}, updated_at = ${at} where workspace_id = ${workspaceId} and id = ${id}`
}

export async function getVerification(db: Queryable, workspaceId: string, id: string): Promise<VerificationRow | undefined> {
  const [row] = await db<VerificationRow[]>`select * from verifications where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export interface VerificationFilter {
  id?: string[]
  person_id?: string[]
  business_id?: string[]
  verification_type?: string[]
  result?: string[]
  include_history?: boolean
}

export async function listVerifications(db: Queryable, workspaceId: string, filter: VerificationFilter, page: Page): Promise<VerificationRow[]> {
  const uuids = (column: string, values: string[] | undefined) => (values?.length ? db`and ${db(column)} = any(${values}::uuid[])` : db``)
  const texts = (column: string, values: string[] | undefined) => (values?.length ? db`and ${db(column)} = any(${values}::text[])` : db``)
  return db<VerificationRow[]>`
    select * from verifications
    where workspace_id = ${workspaceId}
      ${filter.include_history ? db`` : db`and is_current`}
      ${uuids('id', filter.id)} ${uuids('person_id', filter.person_id)} ${uuids('business_id', filter.business_id)}
      ${texts('verification_type', filter.verification_type)} ${texts('result', filter.result)}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

export interface AdhocRow {
  workspace_id: string
  id: string
  payer_id: string
  payee_id: string
  result: string
  matching_watchlists: string[]
  matches: Record<string, unknown>
  list_version: string
  created_at: Date
}

export async function insertAdhoc(db: Queryable, row: AdhocRow): Promise<void> {
  await db`insert into adhoc_verifications ${db({ ...row, matches: db.json(row.matches as never) } as never)}`
}

/** A person's or business's verification_status, or undefined when the workspace has no such party. */
export async function verificationStatusOf(db: Queryable, workspaceId: string, kind: 'person' | 'business', id: string): Promise<{ verification_status: string } | undefined> {
  const [row] = kind === 'person'
    ? await db<{ verification_status: string }[]>`select verification_status from persons where workspace_id = ${workspaceId} and id = ${id}`
    : await db<{ verification_status: string }[]>`select verification_status from businesses where workspace_id = ${workspaceId} and id = ${id}`
  return row
}
