// Returns and notifications of change about entries Keel sent.
//
// A return (addenda 99) of an outgoing entry, within its deadline (returnDeadlinePassed):
// - a credit not yet settled releases its reservation; one settled comes back to the account;
// - a debit not yet settled moves nothing; one settled is taken back from the account (after its
//   availability hold, if still on, is released);
// and the entry becomes DECLINED with its return_data. A return past its deadline, of an unknown
// trace, or of an entry already returned is recorded as ERROR and moves nothing.
//
// A dishonored return (R61, R67-R70) of a return Keel sent: Keel's return is DECLINED, and the
// entry it returned is received again at once (it may be returned again, or post). A contested
// dishonored return (R71-R77) is recorded.
//
// A NOC (addenda 98) corrects the external account of the entry it names (external-accounts).

import type { Tx } from '../../platform/db.js'
import type { Services } from '../../platform/http.js'
import type { EventInput } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { applyNotificationOfChange } from '../../external-accounts/index.js'
import { holdsByIds, postedEvents, settledHoldEvents, type LedgerCommand } from '../../ledger/index.js'
import { addDays, businessDaysBetween } from '../calendar/fed-calendar.js'
import { decodeCorrectedData, returnCodes } from '../nacha/index.js'
import { achCurrency, achMeta, applyAch, ensureSettlementAccount } from '../ledger.js'
import { getIncoming, outgoingByTrace, requeueIncoming, updateOutgoing, type IncomingRow, type OutgoingRow } from '../store.js'
import { easternOf } from '../windows/windows.js'

/** Why a return of an entry settled on `settledOn` is late on `today`, or undefined when it is on time. */
export function returnDeadlinePassed(code: string, settledOn: string, today: string): string | undefined {
  const info = returnCodes.get(code)
  if (!info) return `${code} is not a NACHA return reason code`
  const d = info.deadline
  if (d.kind === 'bankingDays' && businessDaysBetween(settledOn, today) > d.days) return `${code} must be returned within ${d.days} banking days of settlement (${settledOn})`
  if (d.kind === 'calendarDays' && today > addDays(settledOn, d.days)) return `${code} must be returned within ${d.days} days of settlement (${settledOn})`
  return undefined
}

const error = (row: IncomingRow, reason: string, now: Date): IncomingRow => ({ ...row, status: 'ERROR', decline_reason: reason, updated_at: now })

export async function applyReturn(tx: Tx, services: Services, row: IncomingRow, events: EventInput[]): Promise<IncomingRow> {
  const now = services.clock.now(row.workspace_id)
  const data = row.return_data!
  if (data.return_trace && (data.dishonored_return_trace || data.code >= 'R71')) return { ...row, status: 'POSTED', updated_at: now }
  if (data.return_trace) return applyDishonored(tx, services, row, now)
  const original = await outgoingByTrace(tx, row.workspace_id, data.original_trace, true)
  if (!original || original.kind !== 'ORIGINATION') return error(row, `no entry Keel sent has trace ${data.original_trace}`, now)
  if (original.status !== 'PENDING' && original.status !== 'COMPLETE') return error(row, `entry ${original.id} is ${original.status}: it cannot be returned`, now)
  const late = returnDeadlinePassed(data.code, original.effective_date, easternOf(now).date)
  if (late) return error(row, `untimely return: ${late}`, now)

  const settlement = await ensureSettlementAccount(tx, row.workspace_id, now)
  const commands: LedgerCommand[] = []
  const reversalId = uuidv7()
  if (original.dc_sign === 'credit') {
    if (original.status === 'PENDING') commands.push({ id: reversalId, kind: 'void_pending', pendingId: original.ledger_hold_id!, meta: achMeta('OUTGOING_CREDIT', original, { return_code: data.code }) })
    else commands.push({ id: reversalId, kind: 'post', meta: achMeta('OUTGOING_CREDIT', original, { return_code: data.code }), legs: [{ accountId: settlement, amount: -original.amount, currency: achCurrency }, { accountId: original.source_account_id!, amount: original.amount, currency: achCurrency }] })
  } else if (original.status === 'COMPLETE') {
    if (original.availability_hold_id) {
      const [hold] = await holdsByIds(tx, row.workspace_id, [original.availability_hold_id])
      if (hold && hold.status === 'PENDING' && (!hold.expires_at || hold.expires_at.getTime() > now.getTime())) {
        commands.push({ id: uuidv7(), kind: 'void_pending', pendingId: hold.id, meta: achMeta('OUTGOING_DEBIT', original, { return_code: data.code }) })
      }
    }
    commands.push({ id: reversalId, kind: 'post', meta: achMeta('OUTGOING_DEBIT', original, { return_code: data.code }), legs: [{ accountId: original.source_account_id!, amount: -original.amount, currency: achCurrency }, { accountId: settlement, amount: original.amount, currency: achCurrency }] })
  }
  let externalId: string | null = null
  if (commands.length) {
    const [result] = await applyAch(tx, services.clock, [{ workspaceId: row.workspace_id, now, partnerVerified: true, commands }])
    if (!result.ok) return error(row, `the return could not be applied to account ${original.source_account_no}: ${result.detail}`, now)
    for (const t of result.transfers) events.push(...postedEvents(t))
    for (const h of result.holds.values()) if (h.status !== 'PENDING') events.push(...settledHoldEvents(h))
    if (result.transfers.some((t) => t.id === reversalId && t.status === 'POSTED')) externalId = reversalId
  }
  const returned: OutgoingRow = { ...original, status: 'DECLINED', return_data: { code: data.code, original_dfi_no: original.routing_no, original_trace: original.trace_no }, updated_at: now }
  await updateOutgoing(tx, returned)
  return { ...row, status: 'POSTED', account_id: original.source_account_id, external_id: externalId, outgoing_ach_id: original.id, updated_at: now }
}

async function applyDishonored(tx: Tx, services: Services, row: IncomingRow, now: Date): Promise<IncomingRow> {
  const data = row.return_data!
  const ours = await outgoingByTrace(tx, row.workspace_id, data.return_trace!, true)
  if (!ours || ours.kind !== 'RETURN') return error(row, `no return Keel sent has trace ${data.return_trace}`, now)
  await updateOutgoing(tx, { ...ours, status: 'DECLINED', return_data: { ...data }, updated_at: now })
  // The entry Keel returned stands: it is queued to be received again (the next processing run applies it).
  const original = ours.incoming_ach_id ? await getIncoming(tx, row.workspace_id, ours.incoming_ach_id) : undefined
  if (original && original.status === 'RETURNED') await requeueIncoming(tx, row.workspace_id, original.id, now)
  return { ...row, status: 'POSTED', outgoing_ach_id: ours.id, updated_at: now }
}

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
