// Card expiry. A card past its expiration time already reads as TERMINATED (EXP): reads never
// write. This worker then records it, as a SYSTEM change with its CARD.UPDATED event, and ends the
// card's wallet tokens, so webhooks hear of it. One card per transaction, rows taken with SKIP
// LOCKED, so several Keel processes share the work.

import type { Sql } from '../platform/db.js'
import type { Services } from '../platform/http.js'
import { uuidv7 } from '../platform/ids.js'
import { changedFields, recordEvent } from '../platform/events.js'
import { toCard, type CardContext } from './service.js'
import { dueExpiredCard, insertChange, nextCardExpiry, updateCard } from './store.js'

export { nextCardExpiry }
import { loadWidgetWorkspace } from './widget/workspace.js'
import { terminateWalletTokens } from './wallets/service.js'

export const cardExpiryPollMs = 60_000
export const cardExpiryBatchMax = 500

/**
 * Records the expiry of up to `limit` cards whose time has passed, each workspace at its own time: in
 * every workspace (the worker), or in one (a sandbox clock advance). Returns how many.
 */
export async function expireDueCards(services: Services, limit = cardExpiryBatchMax, workspaceId?: string): Promise<number> {
  let done = 0
  for (; done < limit; done++) {
    if (!(await expireOne(services.sql, services, workspaceId))) break
  }
  return done
}

async function expireOne(sql: Sql, services: Services, workspaceId: string | undefined): Promise<boolean> {
  return sql.begin(async (tx) => {
    const card = await dueExpiredCard(tx, services.clock, workspaceId)
    if (!card) return false
    const now = services.clock.now(card.workspace_id)
    const workspace = (await loadWidgetWorkspace(tx, card.workspace_id))!
    const ctx: CardContext = { tx, services, workspace, now }
    // The card as it read the instant before it expired, so the event names what changed.
    const before = toCard(card, workspace, card.expiration_time)
    const after = { ...card, card_status: 'TERMINATED' as const, status_reason: 'EXP', updated_at: now }
    await insertChange(tx, { workspace_id: workspace.id, id: uuidv7(), card_id: card.id, change_type: 'STATUS', channel: 'SYSTEM', state: 'TERMINATED', reason: 'EXP', memo: null, updated_by: 'system', updated_at: now })
    await updateCard(tx, after)
    const resource = toCard(after, workspace, now)
    await recordEvent(tx, { at: now, workspaceId: workspace.id, type: 'CARD.UPDATED', resourceId: card.id, resource, changedFields: changedFields(before, resource) })
    await terminateWalletTokens(ctx, card.id)
    return true
  }) as Promise<boolean>
}
