import type { Static } from 'typebox'
import type { external_account } from '../spec/schemas.js'
import type { AccountRow } from './store.js'

export type ExternalAccount = Static<typeof external_account>

/** The last four characters, as the spec shows account numbers, IBANs and Canadian routing numbers. */
export const lastFour = (s: string): string => s.slice(-4)

/** An account as the API shows it: numbers masked to their last four, ownership verification as `verification`. */
export function toExternalAccount(row: AccountRow): ExternalAccount {
  const routing = { ...row.routing }
  if (routing.eft_ca_routing_number) routing.eft_ca_routing_number = lastFour(routing.eft_ca_routing_number)
  return {
    id: row.id,
    ...(row.customer_id ? { customer_id: row.customer_id } : {}),
    ...(row.business_id ? { business_id: row.business_id } : {}),
    account_identifiers: {
      number: row.account_number_last4 ?? row.iban_last4 ?? '',
      ...(row.iban_last4 ? { iban: row.iban_last4 } : {}),
    },
    account_owner_names: row.account_owner_names,
    routing_identifiers: routing as ExternalAccount['routing_identifiers'],
    type: row.type as ExternalAccount['type'],
    status: row.status,
    currency: row.currency,
    ...(row.name !== null ? { name: row.name } : {}),
    nickname: row.nickname,
    ...(row.metadata ? { metadata: row.metadata } : {}),
    ...(row.tenant !== null ? { tenant: row.tenant } : {}),
    ...(row.vendor_data ? { vendor_data: row.vendor_data } : {}),
    verification: {
      vendor: row.verification_vendor,
      status: row.verification_status,
      ...(row.verified_at ? { creation_time: row.verified_at.toISOString() } : {}),
      ...(row.verification_updated_at ? { last_updated_time: row.verification_updated_at.toISOString() } : {}),
    },
    creation_time: row.created_at.toISOString(),
    last_updated_time: row.updated_at.toISOString(),
    ...(row.deleted_at ? { deletion_time: row.deleted_at.toISOString() } : {}),
  }
}
