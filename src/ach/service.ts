// Outgoing ACH: origination (POST /v0/ach), cancel and funds availability (PATCH). The rules of
// where an entry goes (window, effective date) are in windows/; what moves money is one ledger
// request per step, applied in the same transaction as the entry's row and events.

import type { Static } from 'typebox'
import { relationshipsOf } from '../accounts/index.js'
import { externalAccountForTransfer } from '../external-accounts/index.js'
import { dayMs, lastWritableMs, type Clock } from '../platform/clock.js'
import type { Vault } from '../platform/crypto.js'
import type { Tx } from '../platform/db.js'
import { ApiError, badBody } from '../platform/errors.js'
import { recordEvents, type EventInput } from '../platform/events.js'
import { uuidv7 } from '../platform/ids.js'
import type { Workspace } from '../platform/workspaces.js'
import { amountFromJson, holderRefusal, ledgerAccountAt, pendingCreatedEvents, promiseCredit, settledHoldEvents, type LedgerCommand } from '../ledger/index.js'
import type { outgoing_ach_patch, outgoing_ach_request } from '../spec/schemas.js'
import { addDays } from './calendar/fed-calendar.js'
import { achCurrency, achError, achMeta, applyAch, ensureSettlementAccount, saveOutgoing } from './ledger.js'
import { odfiSettings } from './settings.js'
import { getOutgoing, insertOutgoing, nextTraceSequence, type OutgoingRow } from './store.js'
import { toOutgoingAch } from './views.js'
import { earliestNextDayDate, easternOf, nextDayPlacement, sameDayEntryMaxCents, sameDayPlacement, type Placement } from './windows/windows.js'
import { alphanumericField } from './nacha/index.js'

type Json = Record<string, unknown>
type OutgoingRequest = Static<typeof outgoing_ach_request>

export const secCodeDefault = 'WEB'
export const companyEntryDescriptionDefault = 'PAYMENT'

/**
 * A batch header's text as the file carries it (alphanumericField). NACHA requires the company name
 * and entry description: a value given with no character the file can carry (empty, spaces, or
 * characters outside ASCII with no letter in them) is the default's, as if not given.
 */
function headerText(given: string | null | undefined, fallback: string, width: number): string {
  const kept = given == null ? '' : alphanumericField(given, width)
  return kept.trim() === '' ? alphanumericField(fallback, width) : kept
}

/** How far ahead an effective date may be asked for. */
export const effectiveDateAheadDaysMax = 365

/**
 * Where an entry goes: same-day when asked for, at most $1,000,000 (NACHA's per-entry limit) and
 * before the 4:45 pm ET cut-off of a business day; otherwise next-day, on the effective date asked
 * for or the first one possible. An entry asked for same-day that cannot be is moved to the next
 * day, as an ODFI does, and shows is_same_day false.
 */
export function placementOf(body: { is_same_day?: boolean | null; effective_date?: string | null; amount: number }, now: Date): Placement {
  if (body.is_same_day && body.amount <= sameDayEntryMaxCents) {
    const same = sameDayPlacement(now)
    if (same) return same
  }
  const earliest = earliestNextDayDate(now)
  const asked = body.effective_date ?? earliest
  return nextDayPlacement(asked < earliest ? earliest : asked)
}

/** Checks what the body alone decides, before anything is read or written; where the entry goes, and when a debit's funds become available. */
function checkRequest(body: OutgoingRequest, now: Date): { placement: Placement; availableAt: Date | null } {
  if (body.currency !== achCurrency) throw badBody(`ACH moves ${achCurrency} only`, { invalid: { currency: `must be ${achCurrency}` } })
  if (body.is_same_day && body.effective_date) throw badBody('is_same_day and effective_date cannot both be given', { invalid: { effective_date: 'only without is_same_day' } })
  if (body.effective_date) {
    const today = easternOf(now).date
    if (body.effective_date < today) throw badBody('effective_date is in the past', { invalid: { effective_date: `must be ${today} or later` } })
    if (body.effective_date > addDays(today, effectiveDateAheadDaysMax)) throw badBody(`effective_date is more than ${effectiveDateAheadDaysMax} days ahead`, { invalid: { effective_date: 'too far ahead' } })
  }
  if (body.hold && (body.hold.amount < 0 || body.hold.amount > body.amount)) throw badBody('hold.amount is between 0 and the amount', { invalid: { 'hold.amount': 'between 0 and amount' } })
  const placement = placementOf(body, now)
  if (body.dc_sign !== 'debit') return { placement, availableAt: null }
  const availableMs = placement.settleAt.getTime() + (body.hold?.duration ?? 0) * dayMs
  if (availableMs > lastWritableMs) {
    throw badBody('hold.duration ends the hold past the last date-time an answer can carry (9999-12-31)', { invalid: { 'hold.duration': 'too long' } })
  }
  return { placement, availableAt: new Date(availableMs) }
}

export interface Origination { row: OutgoingRow; events: EventInput[] }

/** POST /v0/ach: checks, places and records the entry; a credit reserves its amount on the account now. */
export async function originate(tx: Tx, deps: { clock: Clock; vault: Vault }, workspace: Workspace, body: OutgoingRequest, idempotencyKey: string | null): Promise<Json> {
  const now = deps.clock.now(workspace.id)
  const { placement, availableAt } = checkRequest(body, now)
  const account = await ledgerAccountAt(tx, workspace.id, body.originating_account_id, now)
  if (!account || account.kind !== 'ACCOUNT') throw new ApiError('ACCOUNT_NOT_FOUND', `account ${body.originating_account_id} not found`)
  const related = await relationshipsOf(tx, workspace.id, [account.id])
  if (!related.some((r) => r.person_id === body.customer_id || r.business_id === body.customer_id)) {
    throw new ApiError('IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP', `customer ${body.customer_id} holds no relationship to account ${account.id}`)
  }
  // A debit moves money only at settlement, but is promised now: the holders' KYC/KYB gate is met now (a credit meets it with its hold).
  const unverified = body.dc_sign === 'debit' ? holderRefusal(account) : undefined
  if (unverified) throw achError(unverified.code, unverified.detail)
  const id = uuidv7()
  const amount = amountFromJson(body.amount)
  if (body.dc_sign === 'debit') {
    // Money into the account, posted at settlement and promised now: its controls on money in are met now, and count it until then.
    const refusal = await promiseCredit(tx, { workspaceId: workspace.id, id, accountId: account.id, amount, payment: { type: 'ACH', subType: 'ACH.OUTGOING_DEBIT' }, at: now })
    if (refusal) throw achError(refusal.code, refusal.detail)
  }
  const external = await externalAccountForTransfer(tx, deps.vault, workspace.id, body.receiving_account_id)
  if (!external || external.status === 'DELETED') throw new ApiError('ACCOUNT_NOT_FOUND', `external account ${body.receiving_account_id} not found`)
  if (external.status === 'CLOSED') throw new ApiError('ACCOUNT_CLOSED', `external account ${external.id} is closed`)
  if (external.customer_id !== body.customer_id && external.business_id !== body.customer_id) {
    throw new ApiError('IMPROPER_ACCOUNT_CUSTOMER_RELATIONSHIP', `external account ${external.id} does not belong to customer ${body.customer_id}`)
  }
  if (!external.ach_routing_number || !external.account_number) throw new ApiError('UNABLE_TO_TRANSACT', `external account ${external.id} has no ACH routing and account number`)
  if (body.dc_sign === 'debit' && !external.owner_verified) throw new ApiError('UNABLE_TO_TRANSACT', `an ACH debit needs an external account whose owner is verified; ${external.id} is not`)
  if (!workspace.partnerVerified) throw new ApiError('PARTNER_NOT_VERIFIED', 'the fintech\'s KYB has not passed: no money moves')

  const settings = await odfiSettings(tx, workspace.id, workspace.name)
  const trace = settings.odfiRouting.slice(0, 8) + String(await nextTraceSequence(tx)).padStart(7, '0')
  const row: OutgoingRow = {
    workspace_id: workspace.id, id, kind: 'ORIGINATION', status: 'INIT', customer_id: body.customer_id,
    source_account_id: account.id, source_account_no: account.account_number, source_account_name: null,
    external_account_id: external.id, account_no: external.account_number, routing_no: external.ach_routing_number,
    account_name: external.account_owner_names[0] ?? null, account_type: external.type === 'SAVINGS' ? 'SAVINGS' : 'CHECKING',
    dc_sign: body.dc_sign, amount, currency: achCurrency, sec_code: body.sec_code ?? secCodeDefault,
    is_same_day: placement.sameDay, effective_date: placement.effectiveDate, trace_no: trace,
    company_name: headerText(body.company_name, settings.companyName, 16),
    company_id: settings.companyId,
    company_entry_description: headerText(body.company_entry_description, companyEntryDescriptionDefault, 10),
    memo: body.memo ?? '', reference_info: body.reference_info ?? null, external_data: (body.external_data as Json | null | undefined) ?? null,
    final_customer_id: body.final_customer_id ?? null,
    hold: availableAt ? { amount: body.hold?.amount ?? 0, availability_time: availableAt.toISOString() } : null,
    window_name: placement.window.name, cut_at: placement.cutAt, settle_at: placement.settleAt,
    file_id: null, ledger_hold_id: null, settlement_transfer_id: null, availability_hold_id: null,
    return_code: null, original_trace: null, incoming_ach_id: null, return_data: null, iat_record: null, identification_number: null, idempotency_key: idempotencyKey,
    created_at: now, updated_at: now,
  }
  const events: EventInput[] = []
  if (body.dc_sign === 'credit') {
    // The credit leaves at settlement; until then its amount is reserved on the account.
    const settlement = await ensureSettlementAccount(tx, workspace.id, now)
    const holdId = uuidv7()
    const command: LedgerCommand = { id: holdId, kind: 'pending', debitAccountId: account.id, creditAccountId: settlement, amount, currency: achCurrency, expiresAt: null, meta: achMeta('OUTGOING_CREDIT', row) }
    const payment = { type: 'ACH', subType: 'ACH.OUTGOING_CREDIT' } as const
    const [result] = await applyAch(tx, deps.clock, [{ workspaceId: workspace.id, now, partnerVerified: workspace.partnerVerified, holderGate: true, payment, commands: [command] }])
    if (!result.ok) throw achError(result.code, result.detail)
    row.ledger_hold_id = holdId
    events.push(...pendingCreatedEvents(result.holds.get(holdId)!))
  }
  await insertOutgoing(tx, row)
  await Promise.all(recordEvents(tx, events))
  return toOutgoingAch(row)
}

/**
 * PATCH /v0/ach/{id}: `status: CANCELED` before the file is cut (a credit's reservation is
 * released); `funds_availability_time` moves a debit's hold on its incoming funds: freely before
 * settlement, and after it only to now or earlier, which releases the hold at once.
 */
export async function patchOutgoing(tx: Tx, clock: Clock, workspace: Workspace, id: string, body: Static<typeof outgoing_ach_patch>): Promise<Json> {
  const now = clock.now(workspace.id)
  const row = await getOutgoing(tx, workspace.id, id, true)
  if (!row || row.kind !== 'ORIGINATION') throw new ApiError('RESOURCE_NOT_FOUND', `ACH transaction ${id} not found`)
  if (body.status == null && body.funds_availability_time == null) throw badBody('nothing to change: give status or funds_availability_time', { missing: ['status'] })
  const after: OutgoingRow = { ...row, updated_at: now }
  const events: EventInput[] = []
  if (body.status === 'CANCELED') {
    if (row.status !== 'INIT') throw new ApiError('INVALID_STATUS', `ACH transaction ${id} is ${row.status}: only an entry not yet cut into a file (INIT) can be canceled`)
    if (row.ledger_hold_id) {
      const command: LedgerCommand = { id: uuidv7(), kind: 'void_pending', pendingId: row.ledger_hold_id, meta: achMeta('OUTGOING_CREDIT', row) }
      const [result] = await applyAch(tx, clock, [{ workspaceId: workspace.id, now, partnerVerified: workspace.partnerVerified, commands: [command] }])
      if (!result.ok) throw achError(result.code, result.detail)
      events.push(...settledHoldEvents(result.holds.get(row.ledger_hold_id)!))
    }
    after.status = 'CANCELED'
  }
  if (body.funds_availability_time != null) {
    if (row.dc_sign !== 'debit' || !row.hold) throw new ApiError('INVALID_STATUS', 'funds_availability_time applies to ACH debits only')
    const at = new Date(body.funds_availability_time)
    if (after.status === 'INIT' || after.status === 'PENDING') {
      after.hold = { ...row.hold, availability_time: at.toISOString() }
    } else if (after.status === 'COMPLETE' && row.availability_hold_id && Date.parse(row.hold.availability_time) > now.getTime()) {
      if (at.getTime() > now.getTime()) throw new ApiError('INVALID_STATUS', 'after settlement the funds can only be made available now (a time at or before the current time)')
      const command: LedgerCommand = { id: uuidv7(), kind: 'void_pending', pendingId: row.availability_hold_id, meta: achMeta('OUTGOING_DEBIT', row) }
      const [result] = await applyAch(tx, clock, [{ workspaceId: workspace.id, now, partnerVerified: workspace.partnerVerified, commands: [command] }])
      if (!result.ok) throw achError(result.code, result.detail)
      events.push(...settledHoldEvents(result.holds.get(row.availability_hold_id)!))
      after.hold = { ...row.hold, availability_time: now.toISOString() }
    } else {
      throw new ApiError('INVALID_STATUS', `ACH transaction ${id} is ${row.status}: its funds availability can no longer change`)
    }
  }
  await saveOutgoing(tx, after)
  await Promise.all(recordEvents(tx, events))
  return toOutgoingAch(after)
}
