// The one door from cards into the accounts domain: what issuing needs to know of an account.
// Kept to a single file so that a change in how accounts are stored or exported touches only it.

import { getAccount, relationshipsOf } from '../accounts/index.js'
import type { Queryable } from '../platform/db.js'

export interface CardAccount {
  id: string
  /** ACTIVE_OR_DISBURSED, APPLICATION_SUBMITTED, CLOSED, … */
  status: string
  /** ACTIVE, FROZEN, … */
  accessStatus: string
  relationships: { type: string; personId: string | null; businessId: string | null }[]
}

/** The account with its relationships, or undefined when the workspace has none with this id. */
export async function cardAccount(db: Queryable, workspaceId: string, accountId: string): Promise<CardAccount | undefined> {
  const row = await getAccount(db, workspaceId, accountId)
  if (!row) return undefined
  const rels = await relationshipsOf(db, workspaceId, [accountId])
  return {
    id: row.id,
    status: row.status,
    accessStatus: row.access_status,
    relationships: rels.map((r) => ({ type: r.relationship_type, personId: r.person_id, businessId: r.business_id })),
  }
}
