// The one door from cards into the customers and verification domains.

import { partiesAtPostalCode, requireBusiness, requirePerson } from '../customers/parties.js'
import { getBusiness } from '../customers/businesses/store.js'
import { getPerson } from '../customers/persons/store.js'
import type { Queryable } from '../platform/db.js'
import { requireVerifiedParty } from '../verification/gate.js'

export { partiesAtPostalCode, requireBusiness, requirePerson, requireVerifiedParty }

export interface HolderDetails {
  /** The name to emboss by default: the person's first and last name, or the business's name. */
  name: string
  recipient: { first_name: string; last_name: string } | undefined
  /** The shipping address on file (else the legal one), in the spec's address shape. */
  address: Record<string, string> | undefined
}

const addressFields = ['address_line_1', 'address_line_2', 'city', 'state', 'postal_code', 'country_code'] as const
const addressRequired = ['address_line_1', 'city', 'state', 'postal_code', 'country_code']

function addressOf(stored: Record<string, unknown> | undefined): Record<string, string> | undefined {
  if (!stored) return undefined
  const out: Record<string, string> = {}
  for (const f of addressFields) if (typeof stored[f] === 'string') out[f] = stored[f] as string
  return addressRequired.every((f) => out[f] !== undefined) ? out : undefined
}

export async function holderDetails(db: Queryable, workspaceId: string, holder: { customerId: string | null; businessId: string | null }): Promise<HolderDetails> {
  if (holder.customerId) {
    const p = await getPerson(db, workspaceId, holder.customerId)
    return {
      name: [p?.first_name, p?.last_name].filter(Boolean).join(' '),
      recipient: p?.first_name && p.last_name ? { first_name: p.first_name, last_name: p.last_name } : undefined,
      address: addressOf(p?.fields.shipping_address) ?? addressOf(p?.fields.legal_address),
    }
  }
  const b = holder.businessId ? await getBusiness(db, workspaceId, holder.businessId) : undefined
  return { name: b?.entity_name ?? '', recipient: undefined, address: addressOf(b?.fields.legal_address as Record<string, unknown> | undefined) }
}
