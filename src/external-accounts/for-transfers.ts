// What a payment rail (ACH) reads of an external account: its numbers in full and whether its
// ownership was verified. An ACH debit needs a verified owner; a credit does not.
import type { Vault } from '../platform/crypto.js'
import type { Queryable } from '../platform/db.js'
import { getAccount } from './store.js'

export interface ExternalAccountForTransfer {
  id: string
  customer_id: string | null
  business_id: string | null
  status: 'ACTIVE' | 'CLOSED' | 'DELETED'
  type: string
  currency: string
  ach_routing_number: string | null
  account_number: string | null
  /** The bank name (from the FedACH directory for manual accounts, the institution for linked ones). */
  bank_name: string
  account_owner_names: string[]
  /** Ownership verified (verification.status VERIFIED): what an ACH debit requires. */
  owner_verified: boolean
}

/** An external account of this workspace with its full numbers, or undefined. */
export async function externalAccountForTransfer(db: Queryable, vault: Vault, workspaceId: string, id: string): Promise<ExternalAccountForTransfer | undefined> {
  const row = await getAccount(db, workspaceId, id)
  if (!row) return undefined
  return {
    id: row.id, customer_id: row.customer_id, business_id: row.business_id, status: row.status, type: row.type, currency: row.currency,
    ach_routing_number: row.routing.ach_routing_number ?? null,
    account_number: row.account_number_encrypted ? vault.decrypt(row.account_number_encrypted) : null,
    bank_name: row.routing.bank_name, account_owner_names: row.account_owner_names,
    owner_verified: row.verification_status === 'VERIFIED',
  }
}
