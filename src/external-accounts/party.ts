// The customer or business an external account belongs to, read through the customers and
// verification domains' exported functions.
import { requireBusiness, requirePerson } from '../customers/parties.js'
import type { Queryable } from '../platform/db.js'
import { badBody } from '../platform/errors.js'
import { getBusinessRecord, getPersonRecord } from '../verification/store.js'
import type { PartyContact } from './owner-match.js'
import type { Party } from './store.js'

/** Exactly one of customer_id and business_id, naming a party of this workspace (400 CUSTOMER_NOT_FOUND / BUSINESS_NOT_FOUND otherwise). */
export async function requireParty(db: Queryable, workspaceId: string, body: { customer_id?: string; business_id?: string }): Promise<Party> {
  if ((body.customer_id === undefined) === (body.business_id === undefined)) {
    throw badBody('exactly one of customer_id or business_id must be set', { invalid: { customer_id: 'exactly one of customer_id or business_id', business_id: 'exactly one of customer_id or business_id' } })
  }
  if (body.customer_id !== undefined) {
    await requirePerson(db, workspaceId, body.customer_id, 'customer_id')
    return { customer_id: body.customer_id, business_id: null }
  }
  await requireBusiness(db, workspaceId, body.business_id!, 'business_id')
  return { customer_id: null, business_id: body.business_id! }
}

/** What owner matching compares: names, email, phone and legal address. */
export async function partyContact(db: Queryable, workspaceId: string, party: Party): Promise<PartyContact> {
  if (party.customer_id) {
    const p = await getPersonRecord(db, workspaceId, party.customer_id)
    return {
      names: p ? [{ first: p.first_name, last: p.last_name }] : [],
      email: p?.email ?? null, phone: p?.phone_number ?? null,
      address: p?.legal_address ? { line1: p.legal_address.address_line_1 ?? null, postalCode: p.legal_address.postal_code ?? null } : null,
    }
  }
  const b = await getBusinessRecord(db, workspaceId, party.business_id!)
  return {
    names: b ? [b.entity_name, ...(b.trade_names ?? [])].filter((n): n is string => typeof n === 'string' && n !== '') : [],
    email: b?.email ?? null, phone: b?.phone_number ?? null,
    address: b?.legal_address ? { line1: b.legal_address.address_line_1 ?? null, postalCode: b.legal_address.postal_code ?? null } : null,
  }
}
