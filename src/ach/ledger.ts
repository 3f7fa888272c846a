// ACH on the ledger: the bank's ACH settlement account (the offset of every ACH movement), the
// records ACH writes, and the ledger's result codes mapped once to the API's errors and to the
// return codes an incoming entry is returned with.

import type { Clock } from '../platform/clock.js'
import type { Queryable } from '../platform/db.js'
import { ApiError, type ErrorCode } from '../platform/errors.js'
import { nameBasedId } from '../platform/ids.js'
import {
  applyInTransaction, endPromises, expiredStatements, insertLedgerAccountIfAbsent, transactableStatus,
  type LedgerRequest, type LedgerResult, type ResultCode, type TransferMeta,
} from '../ledger/index.js'
import { updateOutgoing, type OutgoingRow } from './store.js'

/** The kind of every ledger record ACH writes. */
export const achKind = 'ACH'
/** What the transaction views show as the network of ACH records. */
export const achNetwork = 'ACH'
/** ACH moves US dollars only. */
export const achCurrency = 'USD'
/**
 * The settlement account's number. Not 12 digits, so no customer account number can take it. It is
 * the bank's account at the Fed as the books see it: ACH credits sent leave through it and debits
 * collected arrive through it, so it has no floor (it nets against the Fed every day).
 */
export const settlementAccountNumber = 'ACH-SETTLEMENT'

/**
 * The suspense account's number. It holds what the Fed moved for Keel that belongs to no customer
 * account yet: a return Keel dishonors (until the dishonored return leaves), a dishonored return
 * Keel contests (until the contest leaves), an entry Keel must take back after its return was
 * dishonored but cannot post (IN_SUSPENSE). No floor either: it nets to zero as those entries settle.
 */
export const suspenseAccountNumber = 'ACH-SUSPENSE'

/**
 * The returns receivable account's number. A settled debit Keel originated that comes back
 * returned after the account spent the money: the return takes what the account has above its
 * floor and the rest from here; the account owes it (ach_shortfalls) until collected. No floor: it
 * stands for what customers owe the bank, and nets to zero as shortfalls are collected.
 */
export const receivableAccountNumber = 'ACH-RETURNS-RECEIVABLE'

/** A UUID fixed by the workspace (RFC 9562 version 8, name-based): the same after a wipe. */
export function settlementAccountId(workspaceId: string): string {
  return nameBasedId(workspaceId, 'ach-settlement-account')
}

export function suspenseAccountId(workspaceId: string): string {
  return nameBasedId(workspaceId, 'ach-suspense-account')
}

export function receivableAccountId(workspaceId: string): string {
  return nameBasedId(workspaceId, 'ach-returns-receivable-account')
}

/** Creates a workspace's ACH system ledger account unless it exists (first use, and after a wipe). */
async function ensureSystemAccount(db: Queryable, workspaceId: string, id: string, accountNumber: string, now: Date): Promise<string> {
  await insertLedgerAccountIfAbsent(db, {
    workspace_id: workspaceId, id, kind: 'SYSTEM', account_number: accountNumber, currency: achCurrency,
    status: transactableStatus, access_status: 'ACTIVE', floor: null, ceiling: null, created_at: now,
  })
  return id
}

/** Creates the workspace's ACH settlement ledger account unless it exists. */
export const ensureSettlementAccount = (db: Queryable, workspaceId: string, now: Date): Promise<string> =>
  ensureSystemAccount(db, workspaceId, settlementAccountId(workspaceId), settlementAccountNumber, now)

/** Creates the workspace's ACH suspense ledger account unless it exists. */
export const ensureSuspenseAccount = (db: Queryable, workspaceId: string, now: Date): Promise<string> =>
  ensureSystemAccount(db, workspaceId, suspenseAccountId(workspaceId), suspenseAccountNumber, now)

/** Creates the workspace's ACH returns receivable ledger account unless it exists. */
export const ensureReceivableAccount = (db: Queryable, workspaceId: string, now: Date): Promise<string> =>
  ensureSystemAccount(db, workspaceId, receivableAccountId(workspaceId), receivableAccountNumber, now)

/** The meta of an ACH record: its type names direction and sign (ACH.OUTGOING_CREDIT…, the spec's payment subtypes). */
export function achMeta(type: 'OUTGOING_CREDIT' | 'OUTGOING_DEBIT' | 'INCOMING_CREDIT' | 'INCOMING_DEBIT', entry: { id: string; trace_no: string; memo?: string | null }, extra: Record<string, unknown> = {}): TransferMeta {
  return { kind: achKind, type: `ACH.${type}`, referenceId: entry.trace_no, memo: entry.memo ?? null, details: { network: achNetwork, ach_entry_id: entry.id, ...extra } }
}

/** Applies ledger requests in the caller's transaction (the entry's own rows commit with them, or nothing does). */
export function applyAch(tx: Queryable, clock: Clock, requests: LedgerRequest[]): Promise<LedgerResult[]> {
  return applyInTransaction(tx, requests, { expiredStatements, nowOf: (w) => clock.now(w) })
}

/**
 * Writes an entry Keel sends as it is now. A debit Keel originated is money promised to its account
 * (promiseCredit, at origination) while it is INIT or PENDING: once it leaves them (settled, in the
 * same transaction as its posting; returned; canceled) the ledger's promise ends with it. Every
 * change of an entry goes through here, so no path leaves a promise standing.
 */
export async function saveOutgoing(tx: Queryable, row: OutgoingRow): Promise<void> {
  await updateOutgoing(tx, row)
  if (row.kind === 'ORIGINATION' && row.dc_sign === 'debit' && row.status !== 'INIT' && row.status !== 'PENDING') await endPromises(tx, row.workspace_id, [row.id])
}

const apiCodes: Record<Exclude<ResultCode, 'exists'>, ErrorCode> = {
  amount_must_be_positive: 'BAD_REQUEST_BODY',
  amount_exceeds_limit: 'BAD_REQUEST_BODY',
  legs_too_few: 'BAD_REQUEST_BODY',
  accounts_must_be_different: 'BAD_REQUEST_BODY',
  legs_must_balance: 'BAD_REQUEST_BODY',
  partner_not_verified: 'PARTNER_NOT_VERIFIED',
  pending_not_found: 'INVALID_STATUS',
  pending_already_closed: 'INVALID_STATUS',
  pending_expired: 'INVALID_STATUS',
  pending_not_expired: 'INVALID_STATUS',
  amount_exceeds_pending: 'BAD_REQUEST_BODY',
  account_not_found: 'ACCOUNT_NOT_FOUND',
  currency_mismatch: 'UNABLE_TO_TRANSACT',
  account_closed: 'ACCOUNT_CLOSED',
  account_not_active: 'IMPROPER_ACCOUNT_STATUS',
  account_frozen: 'IMPROPER_ACCOUNT_ACCESS_STATUS',
  customer_not_verified: 'CUSTOMER_NOT_VERIFIED',
  business_not_verified: 'BUSINESS_NOT_VERIFIED',
  spend_control_violation: 'SPEND_CONTROL_VIOLATION',
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  ceiling_exceeded: 'BALANCE_VIOLATION',
  balance_overflow: 'BALANCE_VIOLATION',
}

/** The API error of a refused ACH ledger command. */
export function achError(code: ResultCode, detail: string): ApiError {
  if (code === 'exists') return new ApiError('IDEMPOTENCY_INVALID_REUSE', detail)
  return new ApiError(apiCodes[code], detail)
}

/**
 * The return code an incoming entry is returned with when the ledger refuses to post it: R03 no
 * such account, R02 closed, R16 frozen (or not open for transactions), R01 not enough funds, R20 an
 * account that cannot take ACH (another currency).
 */
export function returnCodeOf(code: ResultCode): string {
  switch (code) {
    case 'account_not_found': return 'R03'
    case 'account_closed': return 'R02'
    case 'account_frozen':
    case 'account_not_active': return 'R16'
    case 'insufficient_funds': return 'R01'
    case 'currency_mismatch': return 'R20'
    case 'ceiling_exceeded':
    case 'balance_overflow': return 'R16'
    case 'partner_not_verified': return 'R16'
    default: return 'R17'
  }
}
