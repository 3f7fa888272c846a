// The outbox events of money that has moved, for every path that moves it (internal transfers,
// account closure sweeps, expiries, ACH and cards). A record never changes, so the events of posted
// records, of holds just made (rendered as made, from what the hold keeps of then) and of holds in a
// final state name views, rendered from the ledger rows when read (the transfers domain registers
// them), instead of carrying the resource.

import type { EventInput } from '../platform/events.js'
import type { HoldRow, TransferRow } from './store.js'

/** The ledger's event views; src/transfers/routes.ts registers their renderers. */
export const eventViews = {
  internalTransfer: 'internal_transfer', postedTransaction: 'posted_transaction', pendingTransaction: 'pending_transaction',
  /** The pending transaction as its hold was made (from what the hold keeps of then: migration 1530). */
  pendingTransactionCreated: 'pending_transaction_created',
} as const

/** The kind of a transfer made through POST /transactions/internal_transfer. */
export const internalTransferKind = 'INTERNAL_TRANSFER'

/** TRANSACTION.POSTED.CREATED for a posted record. */
export function postedEvents(t: TransferRow): EventInput[] {
  if (t.status !== 'POSTED') return []
  return [{ workspaceId: t.workspace_id, resourceId: t.id, type: 'TRANSACTION.POSTED.CREATED', view: eventViews.postedTransaction, at: t.created_at }]
}

/** TRANSACTION.PENDING.CREATED for a hold just made, by view: the hold keeps what its view as made needs, whatever changes it later. */
export function pendingCreatedEvents(hold: HoldRow): EventInput[] {
  return [{ workspaceId: hold.workspace_id, resourceId: hold.id, type: 'TRANSACTION.PENDING.CREATED', view: eventViews.pendingTransactionCreated, at: hold.created_at }]
}

/** A hold in a final state (cleared, released, expired): its TRANSACTION.PENDING.UPDATED, by view. */
export function settledHoldEvents(hold: HoldRow): EventInput[] {
  return [{ workspaceId: hold.workspace_id, resourceId: hold.id, type: 'TRANSACTION.PENDING.UPDATED', view: eventViews.pendingTransaction, at: hold.updated_at }]
}

/** The events of holds the clock expired. */
export function expiryEvents(expired: { transfer: TransferRow; hold: HoldRow }[]): EventInput[] {
  return expired.flatMap((e) => settledHoldEvents(e.hold))
}
