// Parties for the verification tests, written straight into the tables the persons and
// businesses routes keep (same columns, legal address in `fields`, SSN/EIN through the vault), so
// these tests exercise verification alone.
import { uuidv7 } from '../../src/platform/ids.js'
import type { Harness } from '../support/harness.js'

let serial = 0

export interface PersonSeed {
  first_name?: string | null
  middle_name?: string
  last_name?: string | null
  dob?: string | null
  email?: string | null
  phone_number?: string | null
  ssn?: string | null
  legal_address?: Record<string, unknown> | null
  is_customer?: boolean
  verification_status?: string
}

export async function seedPerson(h: Harness, seed: PersonSeed = {}, workspaceId = h.workspaces.a): Promise<string> {
  serial++
  const id = uuidv7()
  const ssn = seed.ssn === undefined ? `123-45-${String(1000 + serial).slice(-4)}` : seed.ssn
  const legal = seed.legal_address === undefined ? { address_line_1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country_code: 'US' } : seed.legal_address
  const fields = { ...(legal ? { legal_address: legal } : {}), ...(seed.middle_name ? { middle_name: seed.middle_name } : {}) }
  const pick = <T>(v: T | undefined, d: T) => (v === undefined ? d : v)
  await h.sql`
    insert into persons (workspace_id, id, is_customer, status, verification_status, first_name, last_name, email, phone_number, dob,
      ssn_encrypted, ssn_last4, fields, created_at, updated_at)
    values (${workspaceId}, ${id}, ${seed.is_customer ?? true}, 'ACTIVE', ${seed.verification_status ?? 'UNVERIFIED'},
      ${pick(seed.first_name, 'Ada')}, ${pick(seed.last_name, `Lovelace${serial}`)}, ${pick(seed.email, `ada${serial}@example.com`)},
      ${pick(seed.phone_number, '+14155550100')}, ${pick(seed.dob, '1985-12-10')},
      ${ssn ? h.services.vault.encrypt(ssn.replace(/\D/g, '')) : null}, ${ssn ? ssn.replace(/\D/g, '').slice(-4) : null},
      ${h.sql.json(fields as never)}, now(), now())`
  return id
}

export interface BusinessSeed {
  entity_name?: string | null
  ein?: string | null
  legal_address?: Record<string, unknown> | null
  structure?: string
  trade_names?: string[]
  email?: string
}

export async function seedBusiness(h: Harness, seed: BusinessSeed = {}, workspaceId = h.workspaces.a): Promise<string> {
  serial++
  const id = uuidv7()
  const ein = seed.ein === undefined ? `12-34${String(10000 + serial).slice(-5)}` : seed.ein
  const legal = seed.legal_address === undefined ? { address_line_1: '500 Market St', city: 'San Francisco', state: 'CA', postal_code: '94105', country_code: 'US' } : seed.legal_address
  const fields = { ...(legal ? { legal_address: legal } : {}), ...(seed.structure ? { structure: seed.structure } : {}), ...(seed.trade_names ? { trade_names: seed.trade_names } : {}) }
  await h.sql`
    insert into businesses (workspace_id, id, is_customer, status, entity_name, email, ein_encrypted, ein_last4, fields, created_at, updated_at)
    values (${workspaceId}, ${id}, true, 'ACTIVE', ${seed.entity_name === undefined ? `Acme Widgets ${serial}` : seed.entity_name},
      ${seed.email ?? `ops${serial}@acme.example`}, ${ein ? h.services.vault.encrypt(ein.replace(/\D/g, '')) : null},
      ${ein ? ein.replace(/\D/g, '').slice(-4) : null}, ${h.sql.json(fields as never)}, now(), now())`
  return id
}

export async function seedOwner(h: Harness, businessId: string, personId: string, type: 'BENEFICIAL_OWNER_OF' | 'MANAGING_PERSON_OF', percent?: number, workspaceId = h.workspaces.a): Promise<void> {
  await h.sql`
    insert into relationships (workspace_id, id, relationship_type, from_person_id, to_business_id, ownership_percentage, created_at, updated_at)
    values (${workspaceId}, ${uuidv7()}, ${type}, ${personId}, ${businessId}, ${percent ?? null}, now(), now())`
}

export async function statusOf(h: Harness, table: 'persons' | 'businesses', id: string): Promise<string> {
  const [row] = await h.sql<{ verification_status: string }[]>`select verification_status from ${h.sql(table)} where id = ${id}`
  return row.verification_status
}

export async function eventsFor(h: Harness, resourceId: string): Promise<Array<{ type: string; resource: any; changed_fields: any }>> {
  return h.sql`select type, resource, changed_fields from events where resource_id = ${resourceId} order by id`
}
