// The one door from cards into the customers and verification domains.

import { requireBusiness, requirePerson } from '../customers/parties.js'
import { getPerson } from '../customers/persons/store.js'
import type { Queryable } from '../platform/db.js'
import { requireVerifiedParty } from '../verification/gate.js'

export { requireBusiness, requirePerson, requireVerifiedParty }

/** A person's name, for the default emboss line; undefined when the workspace has no such person. */
export async function personName(db: Queryable, workspaceId: string, personId: string): Promise<{ first: string | null; last: string | null } | undefined> {
  const row = await getPerson(db, workspaceId, personId)
  return row && { first: row.first_name, last: row.last_name }
}
