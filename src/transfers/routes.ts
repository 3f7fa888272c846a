// Internal transfers (POST through the ledger's group commit; GET; PATCH to complete or cancel a
// MANUAL one) and the pending / posted transaction views.

import type { Socket } from 'node:net'
import type { Queryable } from '../platform/db.js'
import { ApiError } from '../platform/errors.js'
import { registerResourceView } from '../platform/resource-views.js'
import { sendOutcome, type Api } from '../platform/http.js'
import { identityOf, keyClaimOf, storedOutcome, type Outcome } from '../platform/idempotency.js'
import { uuidv7 } from '../platform/ids.js'
import { pageOf, readPage } from '../platform/pagination.js'
import {
  amountFromJson, entriesOf, eventViews, getHold, getPostedTransfer, getTransfer, holdsByIds, internalTransferKind, listHolds, listPostedTransfers,
  transfersByIds, type EntryWithNumber, type HoldRow, type HoldWithNumbers, type LedgerBatcher, type LedgerCommand, type TransferRow,
} from '../ledger/index.js'
import { accountsById, checkAccountNames, namesAccountsIndirectly, resolveTransferAccounts } from './resolve.js'
import { createdEvents, keyedParticipant, settledEvents, type TransferAnswer, type TransferContext } from './service.js'
import { toInternalTransfer, toPendingTransaction, toPendingTransactionAsCreated, toPostedTransaction } from './views.js'

type Json = Record<string, unknown>

export { internalTransferKind }
/** A MANUAL transfer's hold lasts this long when the request names no expires_at. */
export const holdExpiryDefaultMs = 7 * 24 * 60 * 60 * 1000
const currencyPattern = /^[A-Z]{3}$/
/**
 * The request fields the internal transfer resource shows back as sent. The others are columns, or
 * undeclared by the spec: accepted and ignored, never stored.
 */
const shownBackFields = ['capture_mode', 'final_customer_id', 'metadata', 'originating_account_alias', 'originating_account_customer_id', 'receiving_account_alias', 'receiving_account_customer_id', 'tenant']

// The renderers of the ledger's event views (src/ledger/events.ts). Records never change, holds in
// final states never change again, and a hold keeps what it was made with, so their events are
// rendered from the ledger rows when read.

/** Holds by pending transfer id. */
async function holdsOf(db: Queryable, workspaceId: string, ids: string[]): Promise<Map<string, HoldRow>> {
  return new Map((await holdsByIds(db, workspaceId, ids)).map((h) => [h.id, h]))
}

/** The pending transaction views of holds, each rendered with its record and account numbers. */
async function pendingViews(db: Queryable, workspaceId: string, ids: string[], render: (t: TransferRow, h: HoldWithNumbers) => Json | null): Promise<Map<string, Json | null>> {
  const [holds, transfers] = await Promise.all([holdsByIds(db, workspaceId, ids), transfersByIds(db, workspaceId, ids)])
  return new Map(holds.map((h) => [h.id, render(transfers.get(h.id)!, h)]))
}

/** The posted transaction views of POSTED records, with their entries and account numbers. */
async function postedTransactions(db: Queryable, workspaceId: string, transfers: TransferRow[]): Promise<Json[]> {
  const entries = await entriesOf(db, workspaceId, transfers.map((t) => t.id))
  const byTransfer = new Map<string, EntryWithNumber[]>()
  for (const e of entries) byTransfer.set(e.transfer_id, [...(byTransfer.get(e.transfer_id) ?? []), e])
  const refs = new Map(entries.map((e) => [e.account_id, { account_number: e.account_number, kind: e.account_kind }]))
  return transfers.map((t) => toPostedTransaction(t, byTransfer.get(t.id) ?? [], (id) => refs.get(id)!))
}

export function registerTransferRoutes(api: Api, batcher: LedgerBatcher): void {
  const { clock, sql } = api.services

  registerResourceView(eventViews.internalTransfer, async (db, workspaceId, ids) => {
    const [transfers, holds] = await Promise.all([transfersByIds(db, workspaceId, ids), holdsOf(db, workspaceId, ids)])
    return new Map([...transfers].map(([id, t]) => [id, toInternalTransfer(t, holds.get(id), clock.now(workspaceId))]))
  })
  registerResourceView(eventViews.postedTransaction, async (db, workspaceId, ids) => {
    const transfers = [...(await transfersByIds(db, workspaceId, ids)).values()]
    const views = await postedTransactions(db, workspaceId, transfers)
    return new Map(transfers.map((t, i) => [t.id, views[i]]))
  })
  registerResourceView(eventViews.pendingTransaction, (db, workspaceId, ids) =>
    pendingViews(db, workspaceId, ids, (t, h) => toPendingTransaction(t, h, h.account_number, h.offset_account_number, clock.now(workspaceId))))
  registerResourceView(eventViews.pendingTransactionCreated, (db, workspaceId, ids) =>
    pendingViews(db, workspaceId, ids, (t, h) => toPendingTransactionAsCreated(t, h, h.account_number, h.offset_account_number)))

  /** Submits one ledger request for an HTTP request and answers it. */
  const submit = async (req: { raw: { socket: unknown } }, request: Parameters<LedgerBatcher['submit']>[0]['request'], context: TransferContext): Promise<Outcome> => {
    const outcome = await batcher.submit<TransferContext, TransferAnswer>({ request, participant: keyedParticipant, context, group: req.raw.socket as object })
    const answer = outcome.answer!
    if (answer instanceof ApiError) throw answer
    // The batch answers many requests in one turn; those pipelined on one connection then leave in
    // one write instead of one each. (Requests injected in tests have a socket that cannot be corked.)
    const socket = req.raw.socket as Partial<Socket>
    if (socket.cork && socket.uncork) {
      socket.cork()
      process.nextTick(() => socket.uncork!())
    }
    return answer
  }

  api.route('createInternalTransfer', async (req, reply) => {
    const body = req.body as Json
    const workspace = req.workspace
    const now = clock.now(workspace.id)
    const claim = keyClaimOf(workspace.id, req.headers['idempotency-key'], identityOf(req), now)
    checkTransferBody(body, now)
    const indirect = namesAccountsIndirectly(body)
    // An account lookup answers for now; a retry is answered with what was done then. (Only this
    // path pays the query: the plain id form, the hot path, is replayed by the batch.)
    if (claim && indirect) {
      const prior = await storedOutcome(sql, claim)
      if (prior) return sendOutcome(reply, prior)
    }
    const { originating, receiving } = indirect ? await resolveTransferAccounts(sql, workspace, body) : accountsById(body)
    const manual = body.capture_mode === 'MANUAL'
    const details: Json = { capture_mode: manual ? 'MANUAL' : 'IMMEDIATE' }
    for (const k of shownBackFields) if (body[k] !== undefined && k !== 'capture_mode') details[k] = body[k]
    const id = uuidv7()
    const amount = amountFromJson(body.amount as number)
    const currency = body.currency as string
    const meta = {
      kind: internalTransferKind, type: body.type as string, idempotencyKey: claim?.key ?? null,
      referenceId: (body.reference_id as string | undefined) ?? null, memo: (body.memo as string | undefined) ?? null, details,
    }
    const command: LedgerCommand = manual
      ? { id, kind: 'pending', debitAccountId: originating, creditAccountId: receiving, amount, currency, meta,
        expiresAt: new Date(body.expires_at !== undefined ? Date.parse(body.expires_at as string) : now.getTime() + holdExpiryDefaultMs) }
      : { id, kind: 'post', legs: [{ accountId: originating, amount: -amount, currency }, { accountId: receiving, amount, currency }], meta }
    const payment = { type: 'INTERNAL_TRANSFER' } as const
    const result = await submit(req, { workspaceId: workspace.id, now, partnerVerified: workspace.partnerVerified, holderGate: true, payment, commands: [command], mintedIds: true }, {
      claim,
      render: (r) => {
        const [t] = r.transfers
        const hold = r.holds.get(t.id)
        // A posted transfer answers as its view renders it whenever asked; a hold's status moves on.
        const view = hold ? undefined : { name: eventViews.internalTransfer, resourceId: t.id }
        return { status: 200, body: toInternalTransfer(t, hold, now), events: createdEvents(t, hold), view }
      },
    })
    return sendOutcome(reply, result)
  })

  api.read('getInternalTransferByID', async ({ workspace, params }) => {
    const t = await getTransfer(sql, workspace.id, params.id)
    if (!t || t.kind !== internalTransferKind || (t.action !== 'post' && t.action !== 'pending')) throw new ApiError('RESOURCE_NOT_FOUND', `internal transfer ${params.id} not found`)
    return toInternalTransfer(t, t.action === 'pending' ? (await holdsOf(sql, workspace.id, [t.id])).get(t.id) : undefined, clock.now(workspace.id))
  })

  api.route('updateInternalTransferByID', async (req, reply) => {
    const body = req.body as Json
    const workspace = req.workspace
    const { id } = req.params as { id: string }
    if (body.status === undefined) throw new ApiError('BAD_REQUEST_BODY', 'missing required fields: status', { missing: ['status'] })
    const now = clock.now(workspace.id)
    const t = await getTransfer(sql, workspace.id, id)
    if (!t || t.kind !== internalTransferKind || (t.action !== 'post' && t.action !== 'pending')) throw new ApiError('RESOURCE_NOT_FOUND', `internal transfer ${id} not found`)
    if (t.action !== 'pending') throw new ApiError('INVALID_STATUS', `internal transfer ${id} was not made with capture_mode MANUAL`)
    const complete = body.status === 'COMPLETE'
    const command: LedgerCommand = complete
      ? { id: uuidv7(), kind: 'post_pending', pendingId: id, final: true, meta: { kind: internalTransferKind, type: t.type } }
      : { id: uuidv7(), kind: 'void_pending', pendingId: id, meta: { kind: internalTransferKind, type: t.type } }
    const claim = keyClaimOf(workspace.id, req.headers['idempotency-key'], identityOf(req), now)
    // Completing pays the receiving account: its controls on credits count the money as it arrives.
    const payment = complete ? { type: 'INTERNAL_TRANSFER' } as const : undefined
    const result = await submit(req, { workspaceId: workspace.id, now, partnerVerified: workspace.partnerVerified, holderGate: true, payment, commands: [command], mintedIds: true }, {
      claim,
      render: (r) => {
        const hold = r.holds.get(id)!
        const capture = complete ? r.transfers[0] : undefined
        return { status: 200, body: toInternalTransfer(t, hold, now), events: settledEvents(capture, hold) }
      },
    })
    return sendOutcome(reply, result)
  })

  // No ledger transfer comes from an ACH batch yet, and none has child or JIT transactions: filters
  // naming a batch match nothing, the others change nothing. Card records name their card in details.
  api.read('listPostedTransactions', async ({ workspace, query }) => {
    const page = readPage(query)
    if (query.batch_ids?.length || query.is_batched === true) return { result: [], next_page_token: null }
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
    const now = clock.now(workspace.id)
    const rows = await listHolds(sql, workspace.id, query, page, now)
    const { items, next_page_token } = pageOf(rows, page.limit)
    const transfers = await transfersByIds(sql, workspace.id, items.map((h) => h.id))
    const result = items.map((h) => toPendingTransaction(transfers.get(h.id)!, h, h.account_number, h.offset_account_number, now))
    return { result, next_page_token: next_page_token ?? null }
  })

  api.read('getPendingTransactionByID', async ({ workspace, params }) => {
    const h = await getHold(sql, workspace.id, params.id)
    if (!h) throw new ApiError('RESOURCE_NOT_FOUND', `pending transaction ${params.id} not found`)
    const t = (await transfersByIds(sql, workspace.id, [h.id])).get(h.id)!
    return toPendingTransaction(t, h, h.account_number, h.offset_account_number, clock.now(workspace.id))
  })
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
