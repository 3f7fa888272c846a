// Returns, dishonored and contested returns, and notifications of change about entries Keel sent
// or returned. What to do is decided by return-rules.ts (pure, in NACHA's precedence); this file
// applies the decision: ledger commands, rows and events, all in the caller's transaction.
//
// A return (addenda 99) of one of Keel's entries that Keel accepts reverses it:
// - a credit not yet settled releases its reservation; one settled comes back to the account;
// - a debit not yet settled moves nothing; one settled is taken back from the account (after its
//   availability hold, if still on, is released);
// and the entry becomes DECLINED with its return_data. One Keel will not accept (late, misrouted,
// duplicate, wrong fields, not asked for) is dishonored: the original stands, the return's money
// waits in the suspense account, and a DISHONOR entry (R61, R67-R70) carries it back in Keel's next
// file; the return is RETURNED with the code in decline_reason.
//
// A dishonored return (R61, R62, R67-R70) of a return Keel sent, when Keel accepts it, reverses
// Keel's return: that return is DECLINED, and the entry it returned is taken back: posted to its
// account, or, when it cannot post there, held in the suspense account (IN_SUSPENSE). One Keel
// disputes is contested (R71-R77): its money waits in suspense and a CONTEST entry carries it back;
// a corrected return (R74) carries the received entry's fields where Keel's return had them wrong.
//
// A settled debit whose return the account cannot cover is taken back in part from the account and
// the rest from the returns receivable account, owed by the account (shortfalls/).
//
// A contested dishonored return of a dishonor Keel sent is final (NACHA): Keel accepts the original
// return after all, and the entry is reversed as above; Keel's dishonor is DECLINED.
//
// A NOC (addenda 98) corrects the external account of the entry it names (external-accounts).

import type { Tx } from '../../platform/db.js'
import type { Services } from '../../platform/http.js'
import type { EventInput } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { applyNotificationOfChange } from '../../external-accounts/index.js'
import { frozenAccessStatus, holdsByIds, ledgerAccountByNumber, postedEvents, settledHoldEvents, transactableStatus, type LedgerCommand } from '../../ledger/index.js'
import { coverable, takeBackWithShortfall } from '../shortfalls/service.js'
import { transactionCodeOf } from './outgoing.js'
import { decodeCorrectedData, returnCodes } from '../nacha/index.js'
import { achCurrency, achMeta, applyAch, ensureSettlementAccount, ensureSuspenseAccount, saveOutgoing } from '../ledger.js'
import { odfiSettings } from '../settings.js'
import { getIncoming, outgoingByTrace, returnedCreditLike, returnsOfIncomingTrace, updateIncoming, type IncomingRow, type OutgoingRow, type ReturnData } from '../store.js'
import { easternOf } from '../windows/windows.js'
import { fieldsDiffering, judgeDishonor, judgeReturn, returnDeadlinePassed, type ContestCode, type DishonorCode, type EntryFields, type FieldErrorCode } from './return-rules.js'
import { julianDay, sendBack } from './send-back.js'

export { returnDeadlinePassed }

const error = (row: IncomingRow, reason: string, now: Date): IncomingRow => ({ ...row, status: 'ERROR', decline_reason: reason, updated_at: now })
const wasSent = (o: OutgoingRow) => o.status === 'PENDING' || o.status === 'COMPLETE' || o.status === 'DECLINED'
/** +1 when an incoming entry brings money to Keel (credit transaction codes, returns of credits included), -1 when it takes some. */
const signOf = (dcSign: 'credit' | 'debit'): bigint => (dcSign === 'credit' ? 1n : -1n)

export async function applyReturn(tx: Tx, services: Services, row: IncomingRow, events: EventInput[]): Promise<IncomingRow> {
  const now = services.clock.now(row.workspace_id)
  const data = row.return_data!
  const kind = returnCodes.get(data.code)?.kind
  if (kind === 'dishonored') return applyDishonored(tx, services, row, events, now)
  if (kind === 'contested') return applyContested(tx, services, row, events, now)
  const odfi = await odfiSettings(tx, row.workspace_id)
  const found = await outgoingByTrace(tx, row.workspace_id, data.original_trace, true)
  const original = found?.kind === 'ORIGINATION' ? found : undefined
  const judgement = judgeReturn({
    code: data.code,
    traceIsOurs: data.original_trace.startsWith(odfi.odfiRouting.slice(0, 8)),
    original: original && {
      sent: wasSent(original), returned: original.return_data !== null, declined: original.status === 'DECLINED' && original.return_data === null,
      settledOn: original.effective_date, fields: returnFieldsOf(original),
    },
    fields: fieldsOf(row), today: easternOf(now).date,
  })
  if (judgement.action === 'error') return error(row, judgement.reason, now)
  if (judgement.action === 'dishonor') return dishonorReturn(tx, services, row, original, judgement, events, now)
  return reverseOriginal(tx, services, row, original!, data.code, events, now)
}

/** Keel accepts a return of `original`: the entry is reversed and DECLINED with its return_data. */
async function reverseOriginal(tx: Tx, services: Services, row: IncomingRow, original: OutgoingRow, code: string, events: EventInput[], now: Date): Promise<IncomingRow> {
  const settlement = await ensureSettlementAccount(tx, row.workspace_id, now)
  const commands: LedgerCommand[] = []
  const reversalId = uuidv7()
  if (original.dc_sign === 'credit') {
    if (original.status === 'PENDING') commands.push({ id: reversalId, kind: 'void_pending', pendingId: original.ledger_hold_id!, meta: achMeta('OUTGOING_CREDIT', original, { return_code: code }) })
    else commands.push({ id: reversalId, kind: 'post', meta: achMeta('OUTGOING_CREDIT', original, { return_code: code }), legs: [{ accountId: settlement, amount: -original.amount, currency: achCurrency }, { accountId: original.source_account_id!, amount: original.amount, currency: achCurrency }] })
  } else if (original.status === 'COMPLETE') {
    if (original.availability_hold_id) {
      const [hold] = await holdsByIds(tx, row.workspace_id, [original.availability_hold_id])
      if (hold && hold.status === 'PENDING' && (!hold.expires_at || hold.expires_at.getTime() > now.getTime())) {
        commands.push({ id: uuidv7(), kind: 'void_pending', pendingId: hold.id, meta: achMeta('OUTGOING_DEBIT', original, { return_code: code }) })
      }
    }
    commands.push({ id: reversalId, kind: 'post', meta: achMeta('OUTGOING_DEBIT', original, { return_code: code }), legs: [{ accountId: original.source_account_id!, amount: -original.amount, currency: achCurrency }, { accountId: settlement, amount: original.amount, currency: achCurrency }] })
  }
  let externalId: string | null = null
  let recordId = reversalId
  if (commands.length) {
    let [result] = await applyAch(tx, services.clock, [{ workspaceId: row.workspace_id, now, partnerVerified: true, commands }])
    if (!result.ok && result.code === 'insufficient_funds' && original.dc_sign === 'debit') {
      // The account spent the money: it gives back what it has above its floor and owes the rest (shortfalls/).
      const hold = commands[0].kind === 'void_pending' ? commands[0] : undefined
      const [held] = hold ? await holdsByIds(tx, row.workspace_id, [hold.pendingId]) : []
      const taken = await takeBackWithShortfall(tx, services.clock, original, code, held && { id: held.id, amount: held.amount - held.captured }, now)
      result = taken.result
      recordId = taken.reversalId
    }
    if (!result.ok) return error(row, `the return could not be applied to account ${original.source_account_no}: ${result.detail}`, now)
    for (const t of result.transfers) events.push(...postedEvents(t))
    for (const h of result.holds.values()) if (h.status !== 'PENDING') events.push(...settledHoldEvents(h))
    if (result.transfers.some((t) => t.id === recordId && t.status === 'POSTED')) externalId = recordId
  }
  const returned: OutgoingRow = { ...original, status: 'DECLINED', return_data: { code, original_dfi_no: original.routing_no, original_trace: original.trace_no }, updated_at: now }
  await saveOutgoing(tx, returned)
  return { ...row, status: 'POSTED', account_id: original.source_account_id, external_id: externalId, outgoing_ach_id: original.id, updated_at: now }
}

/** What the Fed moved for an entry Keel sends back goes to the suspense account until that entry settles (settle.ts). */
async function holdInSuspense(tx: Tx, services: Services, row: IncomingRow, events: EventInput[], now: Date): Promise<string | null> {
  if (row.amount === 0n) return null
  const settlement = await ensureSettlementAccount(tx, row.workspace_id, now)
  const suspense = await ensureSuspenseAccount(tx, row.workspace_id, now)
  const id = uuidv7()
  const s = signOf(row.dc_sign)
  const [result] = await applyAch(tx, services.clock, [{
    workspaceId: row.workspace_id, now, partnerVerified: true,
    commands: [{ id, kind: 'post', meta: achMeta(row.dc_sign === 'credit' ? 'INCOMING_CREDIT' : 'INCOMING_DEBIT', { id: row.id, trace_no: row.trace_no, memo: 'ACH suspense' }, { suspense: true }), legs: [{ accountId: settlement, amount: -s * row.amount, currency: achCurrency }, { accountId: suspense, amount: s * row.amount, currency: achCurrency }] }],
  }])
  // The settlement and suspense accounts have no floor and no ceiling: the ledger cannot refuse this.
  if (!result.ok) throw new Error(`ACH suspense posting refused: ${result.code} ${result.detail}`)
  events.push(...result.transfers.flatMap(postedEvents))
  return id
}

/** Keel dishonors a return of its entry: the entry stands, a DISHONOR goes out with the return's money. */
async function dishonorReturn(tx: Tx, services: Services, row: IncomingRow, original: OutgoingRow | undefined, j: { code: DishonorCode; fieldErrors?: string; reason: string }, events: EventInput[], now: Date): Promise<IncomingRow> {
  const data = row.return_data!
  const externalId = await holdInSuspense(tx, services, row, events, now)
  const returnData: ReturnData = {
    code: j.code, original_dfi_no: data.original_dfi_no, original_trace: data.original_trace,
    return_code: data.code.slice(1), return_trace: row.trace_no, return_settlement_date: julianDay(row.settlement_date),
    ...(j.fieldErrors ? { field_errors: j.fieldErrors } : {}),
  }
  await sendBack(tx, services, row, {
    kind: 'DISHONOR', code: j.code, reason: j.reason, originalTrace: data.original_trace, returnData,
    sourceAccountId: original?.source_account_id ?? null, sourceAccountNo: original?.source_account_no ?? '',
  })
  return { ...row, status: 'RETURNED', decline_reason: `${j.code}: ${j.reason}`, account_id: original?.source_account_id ?? null, external_id: externalId, outgoing_ach_id: original?.id ?? null, updated_at: now }
}

/** A dishonored return of a return Keel sent: accepted (Keel's return reversed) or contested. */
async function applyDishonored(tx: Tx, services: Services, row: IncomingRow, events: EventInput[], now: Date): Promise<IncomingRow> {
  const data = row.return_data!
  const found = data.return_trace ? await outgoingByTrace(tx, row.workspace_id, data.return_trace, true) : undefined
  const received = found?.kind === 'RETURN' && (found.status === 'PENDING' || found.status === 'COMPLETE') && found.incoming_ach_id
    ? await getIncoming(tx, row.workspace_id, found.incoming_ach_id, true) : undefined
  const ours = received ? found! : undefined
  const j = judgeDishonor({
    code: data.code, fieldErrors: data.field_errors ?? '', today: easternOf(now).date,
    ours: ours && received && {
      returnCode: ours.return_code!, settledOn: ours.effective_date,
      fromItsReceiver: row.originating_routing_number.slice(0, 8) === ours.routing_no.slice(0, 8),
      timely: returnDeadlinePassed(ours.return_code!, received.settlement_date, ours.effective_date) === undefined,
      returnsOfEntry: await returnsOfIncomingTrace(tx, row.workspace_id, received.trace_no),
      fieldsRight: fieldsRightIn(ours, received),
      debit: received.dc_sign === 'debit',
      recoverable: await recoverable(tx, received),
      relatedCreditReturned: received.dc_sign === 'debit' && await creditReturnedLike(tx, received),
    },
  })
  if (j.action === 'contest') {
    // A corrected return (R74) carries the fields of the entry Keel received, where its return had them wrong.
    const corrected = j.code === 'R74' && received ? { accountNo: received.account_no, companyId: received.company_id, identificationNumber: received.identification_number, originalTrace: received.trace_no } : undefined
    return contestDishonor(tx, services, row, ours, j, events, now, corrected)
  }

  await saveOutgoing(tx, { ...ours!, status: 'DECLINED', return_data: { ...data }, updated_at: now })
  const after = await takeBack(tx, services, received!, events, now)
  await updateIncoming(tx, after)
  return { ...row, status: 'POSTED', account_id: after.account_id, outgoing_ach_id: ours!.id, updated_at: now }
}

/**
 * Keel's return of `received` was dishonored: the entry is Keel's after all. It posts to its account
 * without asking the gateway again; when it cannot (no such account, closed, not enough funds…), its
 * money is held in the suspense account and the entry is IN_SUSPENSE for the bank to resolve.
 */
async function takeBack(tx: Tx, services: Services, received: IncomingRow, events: EventInput[], now: Date): Promise<IncomingRow> {
  const account = await ledgerAccountByNumber(tx, received.workspace_id, received.account_no)
  const accountId = account && account.kind === 'ACCOUNT' ? account.id : null
  if (received.amount === 0n || received.is_prenote) return { ...received, status: 'POSTED', account_id: accountId, updated_at: now }
  if (accountId) {
    const settlement = await ensureSettlementAccount(tx, received.workspace_id, now)
    const id = uuidv7()
    const s = signOf(received.dc_sign)
    const [result] = await applyAch(tx, services.clock, [{
      workspaceId: received.workspace_id, now, partnerVerified: true,
      commands: [{ id, kind: 'post', meta: achMeta(received.dc_sign === 'credit' ? 'INCOMING_CREDIT' : 'INCOMING_DEBIT', { id: received.id, trace_no: received.trace_no, memo: received.company_entry_description }), legs: [{ accountId: settlement, amount: -s * received.amount, currency: achCurrency }, { accountId, amount: s * received.amount, currency: achCurrency }] }],
    }])
    if (result.ok) {
      events.push(...result.transfers.flatMap(postedEvents))
      return { ...received, status: 'POSTED', account_id: accountId, external_id: id, updated_at: now }
    }
  }
  const held = await holdInSuspense(tx, services, received, events, now)
  return { ...received, status: 'IN_SUSPENSE', account_id: accountId, external_id: held, updated_at: now }
}

/**
 * Keel contests a dishonored return: its return stands, a CONTEST goes out with the dishonor's
 * money. A corrected return (R74) carries the received entry's fields where Keel's return had them wrong.
 */
async function contestDishonor(tx: Tx, services: Services, row: IncomingRow, ours: OutgoingRow | undefined, j: { code: ContestCode; reason: string }, events: EventInput[], now: Date,
  corrected?: { accountNo: string; companyId: string; identificationNumber: string; originalTrace: string }): Promise<IncomingRow> {
  const data = corrected ? { ...row.return_data!, original_trace: corrected.originalTrace } : row.return_data!
  const externalId = await holdInSuspense(tx, services, row, events, now)
  const returnData: ReturnData = {
    code: j.code, original_dfi_no: data.original_dfi_no, original_trace: data.original_trace,
    ...(data.return_code ? { return_code: data.return_code } : {}), ...(data.return_trace ? { return_trace: data.return_trace } : {}),
    ...(data.return_settlement_date ? { return_settlement_date: data.return_settlement_date } : {}),
    dishonored_return_code: data.code.slice(1), dishonored_return_trace: row.trace_no, dishonored_return_settlement_date: julianDay(row.settlement_date),
  }
  await sendBack(tx, services, row, {
    kind: 'CONTEST', code: j.code, reason: j.reason, originalTrace: data.original_trace, returnData,
    sourceAccountId: ours?.source_account_id ?? null, sourceAccountNo: ours?.source_account_no ?? '', corrected,
  })
  return { ...row, status: 'RETURNED', decline_reason: `${j.code}: ${j.reason}`, external_id: externalId, outgoing_ach_id: ours?.id ?? null, updated_at: now }
}

/** A contested dishonored return of a dishonor Keel sent: final, so the original return is accepted after all. */
async function applyContested(tx: Tx, services: Services, row: IncomingRow, events: EventInput[], now: Date): Promise<IncomingRow> {
  const data = row.return_data!
  const dishonor = data.dishonored_return_trace ? await outgoingByTrace(tx, row.workspace_id, data.dishonored_return_trace, true) : undefined
  if (!dishonor || dishonor.kind !== 'DISHONOR' || dishonor.status === 'DECLINED') return error(row, `no dishonored return Keel sent has trace ${data.dishonored_return_trace}`, now)
  const original = await outgoingByTrace(tx, row.workspace_id, data.original_trace, true)
  if (!original || original.kind !== 'ORIGINATION' || (original.status !== 'PENDING' && original.status !== 'COMPLETE')) {
    return error(row, `the contested dishonor was of a return Keel cannot apply (entry ${data.original_trace} is ${original?.status ?? 'unknown'})`, now)
  }
  const code = data.return_code ? `R${data.return_code}` : dishonor.return_data?.return_code ? `R${dishonor.return_data.return_code}` : 'R01'
  const applied = await reverseOriginal(tx, services, row, original, code, events, now)
  if (applied.status === 'ERROR') return applied
  await saveOutgoing(tx, { ...dishonor, status: 'DECLINED', return_data: { ...data }, updated_at: now })
  return applied
}

/** The fields of a received entry (or return) an R69 compares. */
const fieldsOf = (r: IncomingRow): EntryFields => ({ accountNo: r.account_no, amount: r.amount, identificationNumber: r.identification_number, transactionCode: r.transaction_code, companyId: r.company_id })

/** The fields a return of Keel's entry `o` must carry: the entry's, with the return's transaction code. */
const returnFieldsOf = (o: OutgoingRow): EntryFields => ({
  accountNo: o.account_no, amount: o.amount, identificationNumber: identificationOf(o), transactionCode: String(transactionCodeOf({ ...o, kind: 'RETURN' })), companyId: o.company_id,
})

/** The identification number an entry Keel sent carries (files/outgoing.ts writes the same). */
const identificationOf = (o: OutgoingRow): string => (o.identification_number ?? o.id.replace(/-/g, '')).toUpperCase().slice(0, 15)

/** Which fields Keel's return `ours` of `received` has right, as it went out: 02 its original trace, the rest as fieldsDiffering. */
function fieldsRightIn(ours: OutgoingRow, received: IncomingRow): Partial<Record<FieldErrorCode, boolean>> {
  const live = Number(received.transaction_code)
  // The return of an entry with transaction code 22 is 21, of a prenote 23 also 21 (NACHA: one less than the live code).
  const returnCode = live % 5 === 3 ? live - 2 : live % 5 === 4 ? live - 3 : live - 1
  const want: EntryFields = { accountNo: received.account_no, amount: received.amount, identificationNumber: received.identification_number, transactionCode: String(returnCode), companyId: received.company_id }
  const got: EntryFields = { accountNo: ours.account_no, amount: ours.amount, identificationNumber: identificationOf(ours), transactionCode: String(transactionCodeOf(ours)), companyId: ours.company_id }
  const wrong = new Set(fieldsDiffering(want, got))
  // An IAT entry carries no individual identification number (its return neither): 04 cannot be wrong.
  const identificationRight = received.iat_record !== null || !wrong.has('04')
  return { '01': !wrong.has('01'), '02': ours.original_trace === received.trace_no, '03': !wrong.has('03'), '04': identificationRight, '05': !wrong.has('05'), '06': !wrong.has('06') }
}

/** Whether the account a received debit names could pay it now (open, active, enough above its floor). */
async function recoverable(tx: Tx, received: IncomingRow): Promise<boolean> {
  if (received.dc_sign !== 'debit' || received.amount === 0n) return true
  const account = await ledgerAccountByNumber(tx, received.workspace_id, received.account_no)
  if (!account || account.kind !== 'ACCOUNT' || account.status !== transactableStatus || account.access_status === frozenAccessStatus) return false
  return coverable(received.amount, account) === received.amount
}

/** Whether Keel also returned a credit like the debit `received` reverses: same account, amount, company and bank. */
const creditReturnedLike = (tx: Tx, received: IncomingRow): Promise<boolean> =>
  returnedCreditLike(tx, received.workspace_id, { accountNo: received.account_no, amount: received.amount, companyId: received.company_id, routingNo: received.originating_routing_number })

const accountTypeOfCode = (code: string | undefined): string | undefined => (code?.startsWith('2') ? 'CHECKING' : code?.startsWith('3') ? 'SAVINGS' : undefined)

export async function applyNoc(tx: Tx, services: Services, row: IncomingRow): Promise<IncomingRow> {
  const now = services.clock.now(row.workspace_id)
  const noc = row.notification_of_change!
  const original = await outgoingByTrace(tx, row.workspace_id, noc.original_trace)
  if (!original || original.kind !== 'ORIGINATION') return error(row, `no entry Keel sent has trace ${noc.original_trace}`, now)
  const corrected = decodeCorrectedData(noc.change_code, noc.corrected_data)
  if (!corrected) return error(row, `${noc.change_code} is not a NACHA change code`, now)
  if (original.external_account_id) {
    await applyNotificationOfChange(tx, services.vault, row.workspace_id, original.external_account_id, {
      changeCode: noc.change_code, routingNumber: corrected.routingNumber, accountNumber: corrected.accountNumber, accountType: accountTypeOfCode(corrected.transactionCode),
    }, now)
  }
  return { ...row, status: 'POSTED', account_id: original.source_account_id, outgoing_ach_id: original.id, updated_at: now }
}
