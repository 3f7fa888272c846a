// The outbox events of money that has moved, for every path that moves it (internal transfers,
// account closure sweeps, and later ACH and cards). A posted transfer never changes again, so its
// events name views, rendered from the ledger rows when read (the transfers domain registers them),
// instead of carrying the resource.

import type { EventInput } from '../platform/events.js'
import type { HoldRow, TransferRow } from './store.js'

/** The ledger's event views; src/transfers/routes.ts registers their renderers. */
export const eventViews = { internalTransfer: 'internal_transfer', postedTransaction: 'posted_transaction', pendingTransaction: 'pending_transaction' } as const

/** The kind of a transfer made through POST /transactions/internal_transfer. */
export const internalTransferKind = 'INTERNAL_TRANSFER'

/** TRANSACTION.POSTED.CREATED for a posted transfer, and INTERNAL_TRANSFER.SUCCEEDED for an internal transfer. */
export function postedEvents(t: TransferRow): EventInput[] {
  if (t.status !== 'POSTED') return []
  const posted: EventInput = { workspaceId: t.workspace_id, resourceId: t.id, type: 'TRANSACTION.POSTED.CREATED', view: eventViews.postedTransaction }
  if (t.kind !== internalTransferKind) return [posted]
  return [posted, { workspaceId: t.workspace_id, resourceId: t.id, type: 'INTERNAL_TRANSFER.SUCCEEDED', view: eventViews.internalTransfer }]
}

/** The events of a hold completed, canceled or expired: final states, so all by view. */
export function settledEvents(t: TransferRow, hold: HoldRow): EventInput[] {
  return [{ workspaceId: t.workspace_id, resourceId: hold.id, type: 'TRANSACTION.PENDING.UPDATED', view: eventViews.pendingTransaction }, ...postedEvents(t)]
}
