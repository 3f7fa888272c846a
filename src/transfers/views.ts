// How transfers look on the wire: the internal transfer resource, and the posted and pending
// transaction views. Pure functions of ledger rows.

import { isoString as iso } from '../platform/clock.js'
import { withFields } from '../platform/objects.js'
import { amountToJson, type EntryRow, type HoldRow, type TransferRow } from '../ledger/index.js'

type Json = Record<string, unknown>

/** The network every ledger-internal movement reports. */
export const internalNetwork = 'INTERNAL'

/** A rail's own view fields, from the record's details (keys the rail owns), with the internal defaults. */
const networkOf = (t: TransferRow): string => (typeof t.details.network === 'string' ? t.details.network : internalNetwork)
const externalDataOf = (t: TransferRow): Json | null => (t.details.external_data as Json | undefined) ?? null

/**
 * A posted line's uuid: the transfer's id with its last byte XORed with line + 1. Stable across
 * reads and free to compute; distinct from every other transfer's line ids unless two transfer ids
 * differ only in their last byte, which UUIDv7's 62 random bits make negligible.
 */
export function lineUuid(transferId: string, line: number): string {
  const last = parseInt(transferId.slice(34), 16) ^ (line + 1)
  return transferId.slice(0, 34) + last.toString(16).padStart(2, '0')
}

/**
 * A hold's status as the API shows it at `now`: one past its expiry is EXPIRED whether or not the
 * clock has written its expiry yet (reads never write).
 */
export function holdStatusAt(h: Pick<HoldRow, 'status' | 'expires_at'>, now: Date): HoldRow['status'] {
  return h.status === 'PENDING' && h.expires_at !== null && h.expires_at.getTime() <= now.getTime() ? 'EXPIRED' : h.status
}

// No internal transfer is ever declined (only a card rail records declines); were one, nothing moved.
const statusOfHold = { PENDING: 'PENDING', CLEARED: 'COMPLETE', RELEASED: 'CANCELED', EXPIRED: 'EXPIRED', DECLINED: 'CANCELED' } as const

/** The internal transfer resource: a posted transfer, or a pending one with its hold as it is at `now`. */
export function toInternalTransfer(t: TransferRow, hold: HoldRow | undefined, now: Date): Json {
  const view: Json = {}
  for (const k in t.details) view[k] = t.details[k]
  view.id = t.id
  view.status = hold ? statusOfHold[holdStatusAt(hold, now)] : 'COMPLETE'
  view.amount = amountToJson(t.amount)
  view.currency = t.currency
  view.type = t.type
  view.originating_account_id = t.debit_account_id
  view.receiving_account_id = t.credit_account_id
  if (t.expires_at) view.expires_at = iso(t.expires_at)
  if (t.reference_id !== null) view.reference_id = t.reference_id
  if (t.memo !== null) view.memo = t.memo
  return view
}

const seqToJson = (seq: bigint) => amountToJson(seq)

export interface AccountRef { account_number: string; kind: string }

export function toPostedTransaction(t: TransferRow, entries: EntryRow[], accounts: (id: string) => AccountRef): Json {
  const posted = iso(t.posted_at ?? t.created_at)
  return {
    id: seqToJson(t.seq),
    uuid: t.id,
    type: t.type,
    subtype: t.kind,
    status: 'POSTED',
    idemkey: t.idempotency_key ?? '',
    reference_id: t.reference_id,
    tenant: t.workspace_id,
    info_only: false,
    lead_mode: false,
    created: iso(t.created_at),
    updated: iso(t.updated_at),
    effective_date: posted,
    posted_date: posted,
    transaction_time: iso(t.created_at),
    settlement_date: posted.slice(0, 10),
    data: {
      force_post: false,
      memo: t.memo ?? '',
      metadata: (t.details.metadata as Json | undefined) ?? null,
      ...(t.pending_id ? { hold_id: t.pending_id } : {}),
      ...(externalDataOf(t) ? { external_data: externalDataOf(t) } : {}),
      lines: entries.map((e) => {
        const account = accounts(e.account_id)
        return {
          uuid: lineUuid(t.id, e.line),
          seq: e.line,
          account_id: e.account_id,
          account_no: account.account_number,
          amount: amountToJson(e.amount < 0n ? -e.amount : e.amount),
          currency: e.currency,
          dc_sign: e.amount < 0n ? 'debit' : 'credit',
          balance: amountToJson(e.posted_after),
          avail_balance: amountToJson(e.available_after),
          available_balance: amountToJson(e.available_after),
          is_fee: t.details.is_fee === true,
          is_gl_acc: account.kind !== 'ACCOUNT',
          is_primary: e.line === 0,
          is_offset: e.line !== 0,
          related_line: entries.length === 2 ? 1 - e.line : e.line,
          meta: null,
          network: networkOf(t),
          tenant: t.workspace_id,
          created: iso(e.created_at),
          updated: iso(e.created_at),
        }
      }),
    },
  }
}

const holdOperation = { PENDING: 'hold_new', CLEARED: 'hold_post', RELEASED: 'hold_cancel', EXPIRED: 'hold_expire', DECLINED: 'hold_decline' } as const

/** Why a hold was declined: the rail's reason, from the record's details (details.decline_reason, a key the rail owns). */
const reasonOf = (t: TransferRow, status: HoldRow['status']): string => (status === 'DECLINED' && typeof t.details.decline_reason === 'string' ? t.details.decline_reason : '')

/**
 * The pending transaction as its hold was made (its TRANSACTION.PENDING.CREATED event's resource):
 * PENDING, the amount its record held, nothing captured, the balances it saw then (kept on the hold
 * from migration 1530 on), last updated when made. Null for a hold made before that migration.
 */
export function toPendingTransactionAsCreated(t: TransferRow, h: HoldRow, accountNumber: string, offsetAccountNumber: string): Json | null {
  if (h.created_posted_after === null || h.created_available_after === null) return null
  const made: HoldRow = withFields(h, {
    amount: t.amount, captured: 0n, status: 'PENDING' as const, posted_after: h.created_posted_after, available_after: h.created_available_after, updated_at: h.created_at,
  })
  return toPendingTransaction(t, made, accountNumber, offsetAccountNumber, h.created_at)
}

export function toPendingTransaction(t: TransferRow, h: HoldRow, accountNumber: string, offsetAccountNumber: string, now: Date): Json {
  const expires = iso(h.expires_at ?? t.created_at)
  const status = holdStatusAt(h, now)
  // Past its expiry but not yet expired by the clock: shown as the expiry will record it, with
  // what it still held given back.
  const availableAfter = status !== h.status ? h.available_after + (h.amount - h.captured) : h.available_after
  const amount = amountToJson(h.amount)
  return {
    id: seqToJson(t.seq),
    uuid: t.id,
    account_id: h.account_id,
    account_no: accountNumber,
    offset_account_id: t.credit_account_id,
    offset_account_no: offsetAccountNumber,
    idemkey: t.idempotency_key ?? '',
    reference_id: t.reference_id,
    tenant: t.workspace_id,
    created: iso(h.created_at),
    updated: iso(h.updated_at),
    data: {
      amount, req_amount: amountToJson(t.amount), total_amount: amount,
      currency: h.currency,
      // A hold debits its account; a rail's declined credit (a card's original credit) says so in its details.
      dc_sign: t.details.dc_sign === 'credit' ? 'credit' : 'debit',
      status,
      operation: holdOperation[status],
      balance: amountToJson(h.posted_after),
      avail_balance: amountToJson(availableAfter),
      available_balance: amountToJson(availableAfter),
      // Keel never posts a hold by itself: a PATCH completes it, or it expires at this time.
      auto_post_at: expires,
      expires_at: expires,
      effective_date: iso(h.created_at),
      transaction_time: iso(h.created_at),
      force_post: false,
      history: [],
      idemkey: t.idempotency_key ?? '',
      memo: t.memo ?? '',
      network: networkOf(t),
      reason: reasonOf(t, status),
      subtype: t.kind,
      type: t.type,
      transaction_id: t.id,
      was_partial: h.captured > 0n,
      external_data: externalDataOf(t),
      risk_info: null,
      user_data: null,
    },
  }
}

