// Internal transfers (POST through the ledger's group commit; GET; PATCH to complete or cancel a
// MANUAL one) and the pending / posted transaction views.

import type { Socket } from 'node:net'
import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { recordEvents, registerEventView, type EventInput } from '../platform/events.js'
import type { Api } from '../platform/http.js'
import { idempotencyKeyLengthMax, requestHashOf, storedOutcome } from '../platform/idempotency.js'
import { uuidv7 } from '../platform/ids.js'
import { pageOf, readPage } from '../platform/pagination.js'
import { requirePartnerVerified } from '../platform/workspaces.js'
import type { TransferBatcher, TransferJob } from '../ledger/batcher.js'
import { eventViews, internalTransferKind, postedEvents, settledEvents } from '../ledger/events.js'
import { expireHold, holdIsDue, releaseDueHolds } from '../ledger/expiry.js'
import { amountFromJson } from '../ledger/money.js'
import { getTransfer, settleHold, type HoldRow, type LockedAccount, type SettleAction, type TransferRow } from '../ledger/store.js'
import { accountsById, checkAccountNames, namesAccountsIndirectly, resolveTransferAccounts } from './resolve.js'
import { entriesOf, type EntryWithNumber, getHold, holdsByIds, getPostedTransfer, listHolds, listPostedTransfers, transfersByIds } from './store.js'
import { toInternalTransfer, toPendingTransaction, toPostedTransaction, type AccountRef } from './views.js'

type Json = Record<string, unknown>

export { internalTransferKind }
/** A MANUAL transfer's hold lasts this long when the request names no expires_at. */
export const holdExpiryDefaultMs = 7 * 24 * 60 * 60 * 1000
const currencyPattern = /^[A-Z]{3}$/
/** Request fields that become columns; the rest is shown back as sent. */
const columnFields = ['amount', 'currency', 'type', 'originating_account_id', 'receiving_account_id', 'expires_at', 'reference_id', 'memo']

// The renderers of the ledger's event views (src/ledger/events.ts): transfers and holds in final
// states (posted; completed, canceled, expired) never change again, so their events are rendered
// from the ledger rows when read.

registerEventView(eventViews.internalTransfer, async (db, workspaceId, ids) => {
  const transfers = await transfersByIds(db, workspaceId, ids)
  return new Map([...transfers].map(([id, t]) => [id, toInternalTransfer(t)]))
})
registerEventView(eventViews.postedTransaction, async (db, workspaceId, ids) => {
  const transfers = [...(await transfersByIds(db, workspaceId, ids)).values()]
  const views = await postedTransactions(db, workspaceId, transfers)
  return new Map(transfers.map((t, i) => [t.id, views[i]]))
})

/** The posted transaction views of POSTED transfers, with their entries and account numbers. */
async function postedTransactions(db: Queryable, workspaceId: string, transfers: TransferRow[]): Promise<Json[]> {
  const entries = await entriesOf(db, workspaceId, transfers.map((t) => t.id))
  const byTransfer = new Map<string, EntryWithNumber[]>()
  for (const e of entries) byTransfer.set(e.transfer_id, [...(byTransfer.get(e.transfer_id) ?? []), e])
  const refs = new Map(entries.map((e) => [e.account_id, { account_number: e.account_number, kind: e.account_kind }]))
  return transfers.map((t) => toPostedTransaction(t, byTransfer.get(t.id) ?? [], (id) => refs.get(id)!))
}

registerEventView(eventViews.pendingTransaction, async (db, workspaceId, ids) => {
  const [holds, transfers] = await Promise.all([holdsByIds(db, workspaceId, ids), transfersByIds(db, workspaceId, ids)])
  return new Map(holds.map((h) => [h.id, toPendingTransaction(transfers.get(h.id)!, h, h.account_number, h.offset_account_number)]))
})

/**
 * The events of a new transfer. A new hold's event carries the pending transaction as it is now (it
 * changes later); a posted transfer's events name their views (it never changes again).
 */
export function createdEvents(t: TransferRow, hold: HoldRow | undefined, accounts: (id: string) => AccountRef): EventInput[] {
  if (!hold) return postedEvents(t)
  const resource = toPendingTransaction(t, hold, accounts(hold.account_id).account_number, accounts(t.credit_account_id).account_number)
  return [{ workspaceId: t.workspace_id, resourceId: t.id, type: 'TRANSACTION.PENDING.CREATED', resource }, ...postedEvents(t)]
}

function checkTransferBody(body: Json, now: Date): void {
  checkAccountNames(body)
  // int64 in the spec, but a JSON number past 2^53 has already lost digits: refuse it rather than guess.
  if (!Number.isSafeInteger(body.amount)) throw new ApiError('BAD_REQUEST_BODY', `amount must be at most ${Number.MAX_SAFE_INTEGER}`, { invalid: { amount: 'larger than a JSON integer holds exactly' } })
  if (!currencyPattern.test(body.currency as string)) throw new ApiError('BAD_REQUEST_BODY', 'currency is an ISO 4217 code', { invalid: { currency: 'must match ^[A-Z]{3}$' } })
  if (body.expires_at !== undefined) {
    if (body.capture_mode !== 'MANUAL') throw new ApiError('BAD_REQUEST_BODY', 'expires_at applies to capture_mode MANUAL only', { invalid: { expires_at: 'only with capture_mode MANUAL' } })
    if (Date.parse(body.expires_at as string) <= now.getTime()) throw new ApiError('BAD_REQUEST_BODY', 'expires_at is not in the future', { invalid: { expires_at: 'must be in the future' } })
  }
}

export function registerTransferRoutes(api: Api, batcher: TransferBatcher): void {
  const { clock, sql } = api.services

  api.route('createInternalTransfer', async (req, reply) => {
    const key = req.headers['idempotency-key']
    if (Array.isArray(key)) throw new ApiError('BAD_REQUEST', 'send one Idempotency-Key header')
    if (key !== undefined && (key.length === 0 || key.length > idempotencyKeyLengthMax)) throw new ApiError('BAD_REQUEST', `Idempotency-Key must be 1 to ${idempotencyKeyLengthMax} characters`)
    const body = req.body as Json
    const now = clock.now()
    checkTransferBody(body, now)
    const indirect = namesAccountsIndirectly(body)
    const requestHash = key === undefined ? undefined : requestHashOf({ method: req.method, url: req.url, body })
    // The gate and the account lookups answer for now; a retry is answered with what was done then.
    // (Only these paths pay the query: the plain id form, the hot path, is replayed by the batch.)
    if (key !== undefined && (indirect || !req.workspace.partnerVerified)) {
      const prior = await storedOutcome(sql, req.workspace.id, key, requestHash!)
      if (prior) return reply.header('idempotent-replayed', 'true').code(prior.status).send(prior.body)
    }
    requirePartnerVerified(req.workspace)
    // Aliases and customer ids cost a query; the plain id form, the hot path, costs none.
    const { originating, receiving } = indirect ? await resolveTransferAccounts(sql, req.workspace, body) : accountsById(body)
    const manual = body.capture_mode === 'MANUAL'
    const details: Json = { capture_mode: manual ? 'MANUAL' : 'IMMEDIATE' }
    for (const [k, v] of Object.entries(body)) if (!columnFields.includes(k)) details[k] = v
    if (body.reference_id !== undefined) details.reference_id = body.reference_id
    if (body.memo !== undefined) details.memo = body.memo
    const job: TransferJob = {
      transfer: {
        workspaceId: req.workspace.id, id: uuidv7(), kind: internalTransferKind, type: body.type as string,
        captureMode: manual ? 'MANUAL' : 'IMMEDIATE',
        movement: { debitAccountId: originating, creditAccountId: receiving, amount: amountFromJson(body.amount as number), currency: body.currency as string },
        idempotencyKey: key ?? null, referenceId: (body.reference_id as string | undefined) ?? null, memo: (body.memo as string | undefined) ?? null,
        expiresAt: manual ? new Date(body.expires_at !== undefined ? Date.parse(body.expires_at as string) : now.getTime() + holdExpiryDefaultMs) : null,
        details,
      },
      idempotency: key === undefined ? undefined : { key, requestHash: requestHash! },
      connection: req.raw.socket,
      render(outcome, accounts: Map<string, LockedAccount>) {
        const ref = (id: string) => accounts.get(`${outcome.transfer.workspace_id}/${id}`)!
        return { status: 200, body: toInternalTransfer(outcome.transfer), events: createdEvents(outcome.transfer, outcome.hold, ref) }
      },
    }
    const result = await batcher.submit(job)
    // The batch answers many requests in one turn; those pipelined on one connection then leave in
    // one write instead of one each.
    // (Requests injected in tests have a stand-in socket that cannot be corked.)
    const socket: Partial<Socket> = req.raw.socket
    if (socket.cork && socket.uncork) {
      socket.cork()
      process.nextTick(() => socket.uncork!())
    }
    if (result.replayed) reply.header('idempotent-replayed', 'true')
    return reply.code(result.status).send(result.body)
  })

  api.read('getInternalTransferByID', async ({ workspace, params }) => {
    let t = await getTransfer(sql, workspace.id, params.id)
    if (!t || t.kind !== internalTransferKind) throw new ApiError('RESOURCE_NOT_FOUND', `internal transfer ${params.id} not found`)
    // A hold past its expiry is shown expired: released now (committed on its own), whatever the worker's pace.
    if (holdIsDue(t, clock.now())) {
      await expireHold(sql, clock, workspace.id, t.id)
      t = (await getTransfer(sql, workspace.id, t.id))!
    }
    return toInternalTransfer(t)
  })

  api.write('updateInternalTransferByID', async ({ tx, workspace, params, body }) => {
    if (body.status === undefined) throw new ApiError('BAD_REQUEST_BODY', 'missing required fields: status', { missing: ['status'] })
    // Completing a hold moves the money; canceling one only releases it.
    if (body.status === 'COMPLETE') requirePartnerVerified(workspace)
    const current = await getTransfer(tx, workspace.id, params.id)
    if (!current || current.kind !== internalTransferKind) throw new ApiError('RESOURCE_NOT_FOUND', `internal transfer ${params.id} not found`)
    // A hold past its expiry is expired now (committed on its own), whatever the worker's pace.
    if (holdIsDue(current, clock.now())) await expireHold(sql, clock, workspace.id, params.id)
    const action: SettleAction = body.status === 'COMPLETE' ? 'capture' : 'cancel'
    const outcome = await settleHold(tx, workspace.id, params.id, action, clock.now())
    if (!outcome) throw new ApiError('RESOURCE_NOT_FOUND', `internal transfer ${params.id} not found`)
    if (!outcome.ok) throw new ApiError(outcome.rejection.code, outcome.rejection.detail)
    await Promise.all(recordEvents(tx, settledEvents(outcome.transfer, outcome.hold)))
    return toInternalTransfer(outcome.transfer)
  })

  // No ledger transfer comes from a card or an ACH batch yet, and none has child or JIT
  // transactions: filters naming a card or a batch match nothing, the others change nothing.
  api.read('listPostedTransactions', async ({ workspace, query }) => {
    const page = readPage(query)
    if (query.card_id !== undefined || query.batch_ids?.length || query.is_batched === true) return { result: [], next_page_token: null }
    const rows = await listPostedTransfers(sql, workspace.id, query, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    return { result: await postedTransactions(sql, workspace.id, items), next_page_token: next_page_token ?? null }
  })

  api.read('getPostedTransactionByID', async ({ workspace, params }) => {
    const t = await getPostedTransfer(sql, workspace.id, params.id)
    if (!t) throw new ApiError('RESOURCE_NOT_FOUND', `posted transaction ${params.id} not found`)
    return (await postedTransactions(sql, workspace.id, [t]))[0]
  })

  api.read('listPendingTransactions', async ({ workspace, query }) => {
    const page = readPage(query)
    if (query.card_id !== undefined) return { result: [], next_page_token: null }
    // Release what is due first, so that the status filter and the page see holds as they truly are.
    await releaseDueHolds(sql, clock, workspace.id, query.account_id?.length ? query.account_id : undefined)
    const rows = await listHolds(sql, workspace.id, query, page)
    const { items, next_page_token } = pageOf(rows, page.limit)
    const transfers = await transfersByIds(sql, workspace.id, items.map((h) => h.id))
    const result = items.map((h) => toPendingTransaction(transfers.get(h.id)!, h, h.account_number, h.offset_account_number))
    return { result, next_page_token: next_page_token ?? null }
  })

  api.read('getPendingTransactionByID', async ({ workspace, params }) => {
    let h = await getHold(sql, workspace.id, params.id)
    if (!h) throw new ApiError('RESOURCE_NOT_FOUND', `pending transaction ${params.id} not found`)
    if (holdIsDue(h, clock.now())) {
      await expireHold(sql, clock, workspace.id, h.id)
      h = (await getHold(sql, workspace.id, h.id))!
    }
    const t = (await transfersByIds(sql, workspace.id, [h.id])).get(h.id)!
    return toPendingTransaction(t, h, h.account_number, h.offset_account_number)
  })
}
