// The accrued-not-paid interest an account shows among its balances (ACCRUED_INTEREST_MTD).
//
// The figure is the interest domain's (its positions, its rounding), and the interest domain
// depends on accounts (it reads products and posts through the bank's accounts), so accounts must
// not import interest. The dependency is inverted instead: accounts declares this port, and the
// interest domain provides its reader when it registers (src/interest/index.ts). Accounts never
// reads the interest domain's table; without a provider (interest not registered) no account shows
// the figure.

import type { Queryable } from '../platform/db.js'

/** Accrued and not yet paid, in minor units as a payout would round it, by account id (absent: nothing accrued). */
export type AccruedInterestReader = (db: Queryable, workspaceId: string, accountIds: readonly string[]) => Promise<Map<string, bigint>>

let reader: AccruedInterestReader | undefined

/** Called by the interest domain at registration. */
export function provideAccruedInterest(r: AccruedInterestReader): void {
  reader = r
}

/**
 * The figure for the accounts among `accounts` that have an INTEREST product (0 when nothing has
 * accrued yet), in one read for all of them; the others are absent from the map. No read at all
 * when none has an INTEREST product.
 */
export async function accruedInterestOf(db: Queryable, workspaceId: string, accounts: readonly { id: string; interest_product_id: string | null }[]): Promise<Map<string, bigint>> {
  const ids = accounts.filter((a) => a.interest_product_id !== null).map((a) => a.id)
  if (!reader || ids.length === 0) return new Map()
  const accrued = await reader(db, workspaceId, ids)
  return new Map(ids.map((id) => [id, accrued.get(id) ?? 0n]))
}
