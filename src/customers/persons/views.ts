// The two API views of one person record. /v0/persons shows it as response_person; /v0/customers
// shows the same record, under the same id, as customer_in_body. How the fields correspond:
//
//   person (response_person)         customer (customer_in_body)
//   status (person_status)           status: the spec enumerates the same nine values for both
//                                    (ACTIVE … SANCTION, PROSPECT included), so it is shown as is
//   verification_status              kyc_status: every verification_status value is a kyc_status
//                                    value, shown as is; kyc_status adds PROVIDER_FAILURE (a
//                                    check that did not run), stored apart when it differs
//   verification_last_run            kyc_last_run
//   is_customer, is_user,            not in the customer view (a record made through /customers
//   chosen_name, personal_ids        is a customer: is_customer true)
//
// Everything else (names, dob, email, phone, addresses, metadata, masked ssn, ssn_source,
// ban_status, has_accounts, tenant, times) has the same name and meaning in both.
import type { Static } from 'typebox'
import type { customer, response_person, response_personal_id, response_personal_id_w_cust } from '../../spec/schemas.js'
import type { PersonalIdRow, PersonRow } from './store.js'

export type Person = Static<typeof response_person>
export type Customer = Static<typeof customer>
export type PersonalId = Static<typeof response_personal_id>
export type PersonalIdWithCustomer = Static<typeof response_personal_id_w_cust>

/**
 * What a response shows of an SSN. The spec says the response carries only the last four digits;
 * they are shown in the documented xxx-xx-xxxx shape so that nobody mistakes them for a full SSN.
 */
export const maskedSsn = (last4: string): string => `***-**-${last4}`

// Personal ids that are SSN-shaped are masked like `ssn`; other kinds vary in format by country,
// so only their last four characters are shown, behind a fixed run of stars that hides the length.
const ssnShapedIdTypes: ReadonlySet<string> = new Set(['SSN', 'ITIN'])
export const maskedIdentifier = (idType: string, last4: string): string =>
  ssnShapedIdTypes.has(idType) ? maskedSsn(last4) : `****${last4}`

const addressView = (address: Record<string, unknown> | undefined, type: 'LEGAL' | 'SHIPPING') =>
  address === undefined ? undefined : { ...address, address_type: type }

/** The fields both views show alike. */
function commonView(row: PersonRow): Record<string, unknown> {
  const f = row.fields
  const view: Record<string, unknown> = {
    id: row.id,
    tenant: row.workspace_id,
    status: row.status,
    ban_status: row.ban_status,
    first_name: row.first_name ?? undefined,
    middle_name: f.middle_name,
    last_name: row.last_name ?? undefined,
    dob: row.dob ?? undefined,
    email: row.email ?? undefined,
    phone_number: row.phone_number ?? undefined,
    legal_address: addressView(f.legal_address, 'LEGAL'),
    shipping_address: addressView(f.shipping_address, 'SHIPPING'),
    metadata: f.metadata,
    ssn: row.ssn_last4 === null ? undefined : maskedSsn(row.ssn_last4),
    ssn_source: f.ssn_source,
    has_accounts: row.has_accounts,
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
  }
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key]
  return view
}

export function toPersonalId(row: PersonalIdRow): PersonalId {
  return {
    id: row.id,
    id_type: row.id_type as PersonalId['id_type'],
    identifier: maskedIdentifier(row.id_type, row.identifier_last4),
    country_code: row.country_code,
    system_provided: row.system_provided,
  }
}

export function toPersonalIdWithCustomer(row: PersonalIdRow): PersonalIdWithCustomer {
  return { ...toPersonalId(row), customer_id: row.person_id, tenant: row.workspace_id }
}

export function toPerson(row: PersonRow, personalIds: PersonalIdRow[]): Person {
  const view: Record<string, unknown> = {
    ...commonView(row),
    is_customer: row.is_customer,
    is_user: false,
    verification_status: row.verification_status,
    ...(row.verification_last_run ? { verification_last_run: row.verification_last_run.toISOString() } : {}),
    ...(row.fields.chosen_name !== undefined ? { chosen_name: row.fields.chosen_name } : {}),
    personal_ids: personalIds.map(toPersonalId),
  }
  return view as Person
}

export function toCustomer(row: PersonRow): Customer {
  const view: Record<string, unknown> = {
    ...commonView(row),
    kyc_status: row.kyc_status ?? row.verification_status,
    ...(row.verification_last_run ? { kyc_last_run: row.verification_last_run.toISOString() } : {}),
  }
  return view as Customer
}
