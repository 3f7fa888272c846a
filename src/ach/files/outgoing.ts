// Cutting outgoing files: at each window, the workspace's entries due for it become one NACHA file
// (a batch per SEC code, company and effective date; returns Keel sends in batches of their own,
// as the original's batch was), written by the NACHA library with its controls and blocking, and
// stored; its entries move from INIT to PENDING (sent).

import { createHash } from 'node:crypto'
import type { Clock } from '../../platform/clock.js'
import type { Tx } from '../../platform/db.js'
import { uuidv7 } from '../../platform/ids.js'
import {
  alphanumericField, completeControls, transactionCode, writeNacha,
  type Addenda, type Entry, type NachaFileDraft, type FileHeader, type IatBatchHeader, type IatEntryDetail, type NachaFile, type StandardBatchHeader, type StandardEntryDetail,
} from '../nacha/index.js'
import { odfiSettings, type OdfiSettings } from '../settings.js'
import { insertFile, outgoingToCut, type FileRow, type OutgoingRow } from '../store.js'
import { saveOutgoing } from '../ledger.js'
import type { IatRecord } from './iat-info.js'
import { easternOf } from '../windows/windows.js'

type DraftBatch = NachaFileDraft['batches'][number]

/** NACHA's "originator status code" for an ODFI that is a depository institution. */
const originatorStatusDfi = '1'
/** WEB entries carry a payment type code: S for a single entry. */
const webPaymentTypeSingle = 'S'

const yymmdd = (d: string) => d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10)

/** The transaction code of an entry: its sign and account type, live or a return (21/26/31/36). */
export function transactionCodeOf(r: Pick<OutgoingRow, 'dc_sign' | 'account_type' | 'kind'>): number {
  const savings = r.account_type === 'SAVINGS'
  const live = r.dc_sign === 'credit'
    ? (savings ? transactionCode.savingsCredit : transactionCode.checkingCredit)
    : (savings ? transactionCode.savingsDebit : transactionCode.checkingDebit)
  // A return's code is the live one less one (22 → 21, 27 → 26, 32 → 31, 37 → 36); dishonored and
  // contested returns keep the return's.
  return r.kind === 'ORIGINATION' ? live : live - 1
}

function entryOf(r: OutgoingRow, odfi: OdfiSettings): Entry {
  const detail: StandardEntryDetail = {
    layout: 'standard', transactionCode: transactionCodeOf(r), receivingDfi: r.routing_no.slice(0, 8), checkDigit: r.routing_no.slice(8, 9),
    accountNumber: r.account_no, amount: Number(r.amount), identificationNumber: alphanumericField(r.identification_number ?? r.id.replace(/-/g, ''), 15), name: alphanumericField(r.account_name ?? '', 22),
    discretionaryData: r.sec_code === 'WEB' && r.kind === 'ORIGINATION' ? webPaymentTypeSingle : '', addendaIndicator: 0, traceNumber: r.trace_no,
  }
  const addenda: Addenda[] = []
  if (r.kind === 'RETURN') {
    addenda.push({
      typeCode: '99', kind: 'return', returnReasonCode: r.return_code!, originalTraceNumber: r.original_trace!, dateOfDeath: '',
      originalReceivingDfi: odfi.odfiRouting.slice(0, 8), addendaInformation: '', traceNumber: r.trace_no,
    })
  } else if (r.kind === 'DISHONOR' || r.kind === 'CONTEST') {
    addenda.push(dishonorAddenda(r))
  } else if (r.reference_info) {
    addenda.push({ typeCode: '05', paymentRelatedInformation: alphanumericField(r.reference_info, 80), sequenceNumber: 1, entryDetailSequenceNumber: Number(r.trace_no.slice(-7)) })
  }
  return { detail, addenda }
}

/**
 * A batch of one entry about an IAT entry (its return, a dishonor or contest of that return): the
 * IAT entry's batch header (from the bank now sending, on today's date), an IAT entry for the
 * account and amount, the entry's addenda 10-16, and the addenda 99 that says what this one is.
 */
export function iatBatchAbout(iat: IatRecord, o: {
  transactionCode: number; receivingRouting: string; accountNumber: string; amount: number; trace: string
  addenda99: Addenda; effectiveDate: string; originatingDfi: string; batchNumber: number
}): DraftBatch {
  const sequence = Number(o.trace.slice(-7))
  const addenda: Addenda[] = [...iat.addenda.map((a) => ({ ...a, entryDetailSequenceNumber: sequence })), o.addenda99]
  const detail: IatEntryDetail = {
    layout: 'iat', transactionCode: o.transactionCode, receivingDfi: o.receivingRouting.slice(0, 8), checkDigit: o.receivingRouting.slice(8, 9), addendaCount: addenda.length,
    amount: o.amount, accountNumber: o.accountNumber, gatewayOfacScreening: '', secondaryOfacScreening: '', addendaIndicator: 1, traceNumber: o.trace,
  }
  const header: IatBatchHeader = { ...iat.header, effectiveEntryDate: yymmdd(o.effectiveDate), settlementDate: '', originatorStatusCode: originatorStatusDfi, originatingDfi: o.originatingDfi.slice(0, 8), batchNumber: o.batchNumber }
  return { header, entries: [{ detail, addenda }] }
}

/** What Keel sends back about an IAT entry, in an IAT batch of its own. */
function iatSendBackBatch(r: OutgoingRow, odfi: OdfiSettings, batchNumber: number): DraftBatch {
  const [addenda99] = entryOf(r, odfi).addenda
  return iatBatchAbout(r.iat_record!, {
    transactionCode: transactionCodeOf(r), receivingRouting: r.routing_no, accountNumber: r.account_no, amount: Number(r.amount), trace: r.trace_no,
    addenda99, effectiveDate: r.effective_date, originatingDfi: odfi.odfiRouting, batchNumber,
  })
}

/** The addenda 99 of a dishonored (R61, R67-R70) or contested (R71-R77) return Keel sends, from its return_data. */
function dishonorAddenda(r: OutgoingRow): Addenda {
  const d = r.return_data!
  const common = { typeCode: '99' as const, originalTraceNumber: r.original_trace!, originalReceivingDfi: d.original_dfi_no.slice(0, 8), returnTraceNumber: d.return_trace ?? '', returnSettlementDate: d.return_settlement_date ?? '', returnReasonCode: d.return_code ?? '', traceNumber: r.trace_no }
  if (r.kind === 'DISHONOR') return { ...common, kind: 'dishonored', dishonoredReturnReasonCode: r.return_code!, addendaInformation: d.field_errors ?? '' }
  return {
    ...common, kind: 'contested', contestedReturnReasonCode: r.return_code!, dateOriginalEntryReturned: '', originalSettlementDate: '',
    dishonoredReturnTraceNumber: d.dishonored_return_trace ?? '', dishonoredReturnSettlementDate: d.dishonored_return_settlement_date ?? '', dishonoredReturnReasonCode: d.dishonored_return_code ?? '',
  }
}

/** The NACHA file of one window's entries (built, not stored). */
export function buildOutgoingFile(rows: OutgoingRow[], odfi: OdfiSettings, createdAt: Date, fileIdModifier = 'A'): NachaFile {
  const et = easternOf(createdAt)
  const header: FileHeader = {
    priorityCode: 1, immediateDestination: odfi.immediateDestination, immediateOrigin: odfi.immediateOrigin,
    fileCreationDate: yymmdd(et.date), fileCreationTime: String(Math.floor(et.minutes / 60)).padStart(2, '0') + String(et.minutes % 60).padStart(2, '0'),
    fileIdModifier, recordSize: 94, blockingFactor: 10, formatCode: 1,
    immediateDestinationName: alphanumericField(odfi.immediateDestinationName, 23), immediateOriginName: alphanumericField(odfi.immediateOriginName, 23), referenceCode: '',
  }
  const groups = new Map<string, OutgoingRow[]>()
  for (const r of rows) {
    // The return of an IAT entry goes in an IAT batch of its own, under the entry's batch header.
    const key = r.iat_record ? `IAT|${r.id}` : [r.kind, r.sec_code, r.company_name, r.company_id, r.company_entry_description, r.effective_date].join('|')
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const batches = [...groups.values()].map((entries, i): DraftBatch => {
    const first = entries[0]
    if (first.iat_record) return iatSendBackBatch(first, odfi, i + 1)
    const batchHeader: StandardBatchHeader = {
      layout: 'standard', serviceClassCode: 200, companyName: alphanumericField(first.company_name, 16), companyDiscretionaryData: '',
      companyIdentification: alphanumericField(first.company_id, 10), secCode: first.sec_code,
      companyEntryDescription: alphanumericField(first.company_entry_description, 10), companyDescriptiveDate: '', effectiveEntryDate: yymmdd(first.effective_date),
      settlementDate: '', originatorStatusCode: originatorStatusDfi, originatingDfi: odfi.odfiRouting.slice(0, 8), batchNumber: i + 1,
    }
    return { header: batchHeader, entries: entries.map((r) => entryOf(r, odfi)) }
  })
  return completeControls({ header, batches })
}

/** Cuts the files of every window due by the workspace clock's time; returns how many entries went out. */
export async function cutDue(tx: Tx, clock: Clock, workspaceId: string): Promise<number> {
  const now = clock.now(workspaceId)
  const due = await outgoingToCut(tx, workspaceId, now)
  if (due.length === 0) return 0
  const odfi = await odfiSettings(tx, workspaceId)
  const byWindow = new Map<number, OutgoingRow[]>()
  for (const r of due) byWindow.set(r.cut_at.getTime(), [...(byWindow.get(r.cut_at.getTime()) ?? []), r])
  let modifier = 0
  for (const [cutAt, rows] of byWindow) {
    const file = buildOutgoingFile(rows, odfi, new Date(cutAt), String.fromCharCode(65 + (modifier++ % 26)))
    const content = writeNacha(file)
    const row: FileRow = {
      workspace_id: workspaceId, id: uuidv7(), direction: 'OUTGOING', status: 'CUT', window_name: rows[0].window_name,
      sha256: createHash('sha256').update(content).digest('hex'), content, entry_count: rows.length,
      debit_total: BigInt(file.control.totalDebit), credit_total: BigInt(file.control.totalCredit), created_at: new Date(cutAt),
    }
    await insertFile(tx, row)
    for (const r of rows) await saveOutgoing(tx, { ...r, status: 'PENDING', file_id: row.id, updated_at: now })
  }
  return due.length
}
