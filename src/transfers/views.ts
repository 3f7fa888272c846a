// How transfers look on the wire: the internal transfer resource, and the posted and pending
// transaction views. Pure functions of ledger rows.

import { derivedId } from '../accounts/internal.js'
import { amountToJson } from '../ledger/money.js'
import type { EntryRow, HoldRow, TransferRow } from '../ledger/store.js'

type Json = Record<string, unknown>

/** The network every ledger-internal movement reports. */
export const internalNetwork = 'INTERNAL'

const transferStatus = { POSTED: 'COMPLETE', PENDING: 'PENDING', CANCELED: 'CANCELED', EXPIRED: 'EXPIRED' } as const

export function toInternalTransfer(t: TransferRow): Json {
  return {
    ...t.details,
    id: t.id,
    status: transferStatus[t.status],
    amount: amountToJson(t.amount),
    currency: t.currency,
    type: t.type,
    originating_account_id: t.debit_account_id,
    receiving_account_id: t.credit_account_id,
    ...(t.expires_at ? { expires_at: t.expires_at.toISOString() } : {}),
  }
}

const seqToJson = (seq: bigint) => amountToJson(seq)

export interface AccountRef { account_number: string; kind: string }

export function toPostedTransaction(t: TransferRow, entries: EntryRow[], accounts: (id: string) => AccountRef): Json {
  const posted = (t.posted_at ?? t.created_at).toISOString()
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
    created: t.created_at.toISOString(),
    updated: t.updated_at.toISOString(),
    effective_date: posted,
    posted_date: posted,
    transaction_time: t.created_at.toISOString(),
    settlement_date: posted.slice(0, 10),
    data: {
      force_post: false,
      memo: t.memo ?? '',
      metadata: (t.details.metadata as Json | undefined) ?? null,
      ...(t.posted_at && t.posted_at.getTime() !== t.created_at.getTime() ? { hold_id: t.id } : {}),
      lines: entries.map((e) => {
        const account = accounts(e.account_id)
        return {
          uuid: derivedId(t.id, `line-${e.line}`),
          seq: e.line,
          account_id: e.account_id,
          account_no: account.account_number,
          amount: amountToJson(e.amount < 0n ? -e.amount : e.amount),
          currency: e.currency,
          dc_sign: e.amount < 0n ? 'debit' : 'credit',
          balance: amountToJson(e.posted_after),
          avail_balance: amountToJson(e.available_after),
          available_balance: amountToJson(e.available_after),
          is_fee: false,
          is_gl_acc: account.kind !== 'ACCOUNT',
          is_primary: e.line === 0,
          is_offset: e.line !== 0,
          related_line: entries.length === 2 ? 1 - e.line : e.line,
          meta: null,
          network: internalNetwork,
          tenant: t.workspace_id,
          created: e.created_at.toISOString(),
          updated: e.created_at.toISOString(),
        }
      }),
    },
  }
}

const holdOperation = { PENDING: 'hold_new', CLEARED: 'hold_post', RELEASED: 'hold_cancel', EXPIRED: 'hold_expire' } as const

export function toPendingTransaction(t: TransferRow, h: HoldRow, accountNumber: string, offsetAccountNumber: string): Json {
  const expires = (h.expires_at ?? t.created_at).toISOString()
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
    created: h.created_at.toISOString(),
    updated: h.updated_at.toISOString(),
    data: {
      amount, req_amount: amount, total_amount: amount,
      currency: h.currency,
      dc_sign: 'debit',
      status: h.status,
      operation: holdOperation[h.status],
      balance: amountToJson(h.posted_after),
      avail_balance: amountToJson(h.available_after),
      available_balance: amountToJson(h.available_after),
      // Keel never posts a hold by itself: a PATCH completes it, or it expires at this time.
      auto_post_at: expires,
      expires_at: expires,
      effective_date: h.created_at.toISOString(),
      transaction_time: h.created_at.toISOString(),
      force_post: false,
      history: [],
      idemkey: t.idempotency_key ?? '',
      memo: t.memo ?? '',
      network: internalNetwork,
      reason: '',
      subtype: t.kind,
      type: t.type,
      transaction_id: t.id,
      was_partial: false,
      external_data: null,
      risk_info: null,
      user_data: null,
    },
  }
}
