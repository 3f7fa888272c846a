// Hold expiry has one home: an expire_pending command per PENDING hold past its expires_at, written
// by the clock. Two drivers, for two kinds of time:
// - real time: a worker round that finds what fell due in any workspace (expireDueHolds);
// - a sandbox clock advance: everything due in one workspace up to the new time, in time order
//   (nextHoldExpiry + expireDueHolds with the workspace).
// A batch that locks an account with a due hold expires it first through the same command
// (plan.ts), and reads never write: they leave out holds past their expiry (accounts/store.ts).

import type { Clock } from '../platform/clock.js'
import type { Queryable, Sql, Unsent } from '../platform/db.js'
import { recordEvents } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import { applyInTransaction } from './batcher.js'
import { expiryEvents } from './events.js'
import { ledgerKind, type Expired, type LedgerRequest, type LedgerResult } from './plan.js'
import { dueHolds, nextHoldExpiry } from './store.js'

export { nextHoldExpiry }

/** How many holds one transaction of the expiry worker settles. */
export const holdExpiryBatchMax = 100

/** The statements that record expired holds' events; every writer of expiries passes it to the ledger. */
export const expiredStatements = (tx: Queryable, expired: Expired[]): Unsent[] => recordEvents(tx, expiryEvents(expired))

/**
 * Expires the PENDING holds past their expiry, each workspace at its own time: in every workspace,
 * or in one (a clock advance). Up to `limit` per transaction, until none is due. Returns how many.
 */
export async function expireDueHolds(sql: Sql, clock: Clock, limit: number = holdExpiryBatchMax, workspaceId?: string): Promise<number> {
  let total = 0
  for (;;) {
    const due = await dueHolds(sql, clock, limit, workspaceId)
    if (due.length === 0) return total
    const requests: LedgerRequest[] = due.map((d) => ({
      workspaceId: d.workspace_id, now: clock.now(d.workspace_id), partnerVerified: true,
      commands: [{ id: uuidv7(), kind: 'expire_pending', pendingId: d.id, meta: { kind: ledgerKind, type: 'EXPIRY' } }],
    }))
    const results = await sql.begin(async (tx) => {
      const done = await applyInTransaction(tx, requests, { expiredStatements, nowOf: (w) => clock.now(w) })
      // The holds these commands expired, with their events, in the same transaction.
      const expired = done.flatMap((r) => (r.ok ? [...r.holds.values()].map((hold) => ({ transfer: r.transfers[0], hold })) : []))
      await Promise.all(expiredStatements(tx, expired))
      return done
    }) as LedgerResult[]
    const expired = results.filter((r) => r.ok).length
    total += expired
    // Another writer may have settled some first (a batch, a capture): what is left comes next round.
    if (expired === 0) return total
  }
}
