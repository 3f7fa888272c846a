// Internal transfers on the ledger: the requests they make of it, and the participant that writes
// their Idempotency-Key outcomes and events in the same batch transaction.

import type { Queryable, Unsent } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { recordEvents, type EventInput } from '../platform/events.js'
import { claimKeys, expectKeysFree, storeOutcomes, type KeyClaim, type Outcome, type StoredOutcome } from '../platform/idempotency.js'
import { withFields } from '../platform/objects.js'
import { eventViews, pendingCreatedEvents, postedEvents, settledHoldEvents, type HoldRow, type LedgerResult, type Participant, type TransferRow } from '../ledger/index.js'
import { transferError } from './outcomes.js'

/** What a request attaches to its ledger job: its key, and how its answer and events are made. */
export interface TransferContext {
  claim?: KeyClaim
  /**
   * The response and events of an accepted request, and, for a response no later change alters
   * (a posted transfer), the view that renders it again: its key's outcome is stored by that view.
   */
  render(result: Extract<LedgerResult, { ok: true }>): { status: number; body: unknown; events: EventInput[]; view?: StoredOutcome['view'] }
}

/**
 * A request's answer: the response (replayed, or new with its body serialized once, as `json`, for
 * the reply and the stored outcome alike), or the error to send.
 */
export type TransferAnswer = Outcome | ApiError

/**
 * The HTTP rail's part of a batch: claims the keys of its requests with the batch's first round trip
 * (a replay or a refusal settles a request before the ledger sees it), and writes the events and the
 * outcomes of the accepted ones with the batch's writes. A refused request stores nothing: it
 * changed nothing, so running it again is safe. A batch decided from memory claims the keys with
 * its writes instead, and runs again reading if one is not free.
 */
export const keyedParticipant: Participant<TransferContext, TransferAnswer> = {
  async open(tx, contexts) {
    const keyed = contexts.flatMap((c, i) => (c.claim ? [{ i, claim: c.claim }] : []))
    const answers: (TransferAnswer | undefined)[] = contexts.map(() => undefined)
    if (keyed.length === 0) return answers
    const claimed = await claimKeys(tx, keyed.map((k) => k.claim))
    keyed.forEach((k, n) => { answers[k.i] = claimed[n] })
    return answers
  },
  expectUnsettled(tx, contexts) {
    const claims = contexts.flatMap((c) => (c.claim ? [c.claim] : []))
    return { opening: claims.length ? [expectKeysFree(tx, claims)] : [] }
  },
  close(tx, done) {
    const events: EventInput[] = []
    const stored: (KeyClaim & StoredOutcome)[] = []
    const answers = done.map(({ context, result }): TransferAnswer => {
      if (!result.ok) return transferError(result.code, result.detail)
      const rendered = context.render(result)
      events.push(...rendered.events)
      const json = JSON.stringify(rendered.body)
      if (context.claim) stored.push(withFields(context.claim, rendered.view ? { status: rendered.status, view: rendered.view } : { status: rendered.status, json }))
      return { status: rendered.status, body: rendered.body, json }
    })
    const writes: Unsent[] = []
    if (events.length) writes.push(...recordEvents(tx as Queryable, events))
    if (stored.length) writes.push(storeOutcomes(tx, stored))
    return { writes, answers }
  },
}

/** The events of an internal transfer made, each naming its view: a posted one's, or a new hold's pending transaction as made. */
export function createdEvents(t: TransferRow, hold: HoldRow | undefined): EventInput[] {
  return hold ? pendingCreatedEvents(hold) : [...postedEvents(t), internalTransferSucceeded(t.workspace_id, t.id, t.created_at)]
}

/** INTERNAL_TRANSFER.SUCCEEDED: the transfer is complete (posted at once, or its hold captured). */
export function internalTransferSucceeded(workspaceId: string, transferId: string, at: Date): EventInput {
  return { workspaceId, resourceId: transferId, type: 'INTERNAL_TRANSFER.SUCCEEDED', view: eventViews.internalTransfer, at }
}

/** The events of a hold settled by PATCH: its final state, and on completion the posted capture and the transfer's success. */
export function settledEvents(capture: TransferRow | undefined, hold: HoldRow): EventInput[] {
  return [...settledHoldEvents(hold), ...(capture ? [...postedEvents(capture), internalTransferSucceeded(hold.workspace_id, hold.id, capture.created_at)] : [])]
}
