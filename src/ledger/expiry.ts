// MANUAL holds past their expires_at: released, with their TRANSACTION.PENDING.UPDATED event, by
// whichever comes first. Two ways, for two kinds of caller:
//
// - in a transaction of its own, one hold at a time, waiting on the transfer's lock: the expiry
//   worker, and reads about to show a hold or a balance (releaseDueHolds), which hold no locks;
// - in the caller's transaction, skipping a transfer another transaction holds (it is settling it):
//   a batch of transfers (store.ts dueHoldsOn) and account changes (releaseDueHoldsIn), which have
//   locked accounts already and would risk a deadlock by waiting.
//
// Posting transfers and account reads both need it, so it lives here in the ledger, beside the
// posting path, rather than in the transfers domain.

import type { Clock } from '../platform/clock.js'
import type { Queryable, Sql, Tx } from '../platform/db.js'
import { recordEvents } from '../platform/events.js'
import { settledEvents } from './events.js'
import { expireDueHoldsIn, getTransfer, settleHold } from './store.js'

/** A read releases at most this many due holds itself; the worker releases the rest. */
export const holdExpiryOnReadMax = 100

/** A MANUAL transfer (or its hold) still PENDING past its expires_at: due to be released. */
export const holdIsDue = (t: { status: string; expires_at: Date | null }, now: Date): boolean =>
  t.status === 'PENDING' && t.expires_at !== null && t.expires_at <= now

/** Releases one expired hold in its own transaction (one transfer's accounts at a time keeps lock order). */
export async function expireHold(sql: Sql, clock: Clock, workspaceId: string, transferId: string): Promise<boolean> {
  return sql.begin(async (tx) => {
    const t = await getTransfer(tx, workspaceId, transferId)
    const now = clock.now()
    if (!t || !holdIsDue(t, now)) return false
    const outcome = await settleHold(tx, workspaceId, transferId, 'expire', now)
    if (!outcome?.ok) return false
    await Promise.all(recordEvents(tx, settledEvents(outcome.transfer, outcome.hold)))
    return true
  }) as Promise<boolean>
}

/**
 * Releases the due holds a read is about to show (those on `accountIds`, or without them all of the
 * workspace's), each in its own transaction as the worker does, so that the read shows them EXPIRED
 * and their funds available whatever the worker's pace. Nothing due, the common case, costs one
 * index probe. Returns how many it released.
 */
export async function releaseDueHolds(sql: Sql, clock: Clock, workspaceId: string, accountIds?: string[]): Promise<number> {
  const due = await dueHolds(sql, workspaceId, accountIds, clock.now(), holdExpiryOnReadMax)
  let released = 0
  for (const id of due) if (await expireHold(sql, clock, workspaceId, id)) released++
  return released
}

/** The expiry worker's round: releases every hold past its expiry, up to `limit`; returns how many. */
export async function expireDueHolds(sql: Sql, clock: Clock, limit: number): Promise<number> {
  const due = await sql<{ workspace_id: string; id: string }[]>`
    select workspace_id, id from ledger_transfers where status = 'PENDING' and expires_at <= ${clock.now()} order by expires_at limit ${limit}`
  let released = 0
  for (const d of due) if (await expireHold(sql, clock, d.workspace_id, d.id)) released++
  return released
}

/**
 * Releases the holds past their expiry on these accounts, in the caller's transaction, with their
 * events: a status change or a closure must not count them, whatever the expiry worker's pace.
 * True when it released any.
 */
export async function releaseDueHoldsIn(tx: Tx, workspaceId: string, accountIds: string[], now: Date): Promise<boolean> {
  const expired = await expireDueHoldsIn(tx, accountIds.map((id) => ({ workspaceId, id })), now)
  await Promise.all(recordEvents(tx, expired.flatMap((e) => settledEvents(e.transfer, e.hold))))
  return expired.length > 0
}

/**
 * The MANUAL holds past their expiry and not yet released, oldest expiry first: on these accounts
 * (through the index of PENDING holds by account), or anywhere in the workspace (through the index
 * of PENDING transfers by expiry, which holds only what is still pending). Either is one index
 * probe when nothing is due.
 */
async function dueHolds(db: Queryable, workspaceId: string, accountIds: string[] | undefined, now: Date, limit: number): Promise<string[]> {
  if (accountIds?.length === 0) return []
  const rows = accountIds
    ? await db<{ id: string }[]>`
        select id from ledger_holds
        where workspace_id = ${workspaceId} and account_id = any(${accountIds}::uuid[]) and status = 'PENDING' and expires_at <= ${now}
        order by expires_at limit ${limit}`
    : await db<{ id: string }[]>`
        select id from ledger_transfers
        where status = 'PENDING' and expires_at <= ${now} and workspace_id = ${workspaceId}
        order by expires_at limit ${limit}`
  return rows.map((r) => r.id)
}
