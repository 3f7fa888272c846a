// The NACHA files the sandbox simulations build: an incoming entry from another bank, the
// receiving bank's return of an entry Keel sent, or the originating bank's dishonored return of a
// return Keel sent. Each goes through the same ingest path as a real
// file (files/incoming.ts).

import { bankRouting } from '../../accounts/index.js'
import { alphanumericField, completeControls, transactionCode, writeNacha, type Addenda, type FileHeader, type StandardBatchHeader, type StandardEntryDetail } from '../nacha/index.js'
import { iatBatchAbout, transactionCodeOf } from '../files/outgoing.js'
import type { OutgoingRow } from '../store.js'
import { julianDay } from '../files/send-back.js'
import { easternOf } from '../windows/windows.js'

/** The bank simulated entries come from: Citizens Bank, a real FedACH participant. */
export const simulatedOdfiRouting = '011401533'
export const simulatedCompanyName = 'KEEL SIMULATION'
export const simulatedCompanyId = '9011401533'

const yymmdd = (d: string) => d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10)

function fileHeader(destination: string, origin: string, now: Date): FileHeader {
  const et = easternOf(now)
  return {
    priorityCode: 1, immediateDestination: destination, immediateOrigin: origin, fileCreationDate: yymmdd(et.date),
    fileCreationTime: String(Math.floor(et.minutes / 60)).padStart(2, '0') + String(et.minutes % 60).padStart(2, '0'),
    fileIdModifier: 'A', recordSize: 94, blockingFactor: 10, formatCode: 1,
    immediateDestinationName: 'KEEL BANK', immediateOriginName: 'SIMULATED BANK', referenceCode: '',
  }
}

function batchHeader(o: { secCode: string; companyName: string; companyId: string; description: string; effectiveDate: string; originatingDfi: string }): StandardBatchHeader {
  return {
    layout: 'standard', serviceClassCode: 200, companyName: alphanumericField(o.companyName, 16), companyDiscretionaryData: '', companyIdentification: o.companyId.slice(0, 10),
    secCode: o.secCode, companyEntryDescription: alphanumericField(o.description, 10), companyDescriptiveDate: '', effectiveEntryDate: yymmdd(o.effectiveDate),
    settlementDate: '', originatorStatusCode: '1', originatingDfi: o.originatingDfi.slice(0, 8), batchNumber: 1,
  }
}

/** One PPD entry from the simulated bank to a Keel account: credit or debit, a prenote when the amount is 0. */
export function incomingEntryFile(o: { accountNumber: string; amount: number; dcSign: 'credit' | 'debit'; effectiveDate: string; sequence: number; now: Date }): string {
  const code = o.dcSign === 'credit'
    ? (o.amount === 0 ? transactionCode.checkingCreditPrenote : transactionCode.checkingCredit)
    : (o.amount === 0 ? transactionCode.checkingDebitPrenote : transactionCode.checkingDebit)
  const detail: StandardEntryDetail = {
    layout: 'standard', transactionCode: code, receivingDfi: bankRouting.slice(0, 8), checkDigit: bankRouting.slice(8, 9),
    accountNumber: o.accountNumber.slice(0, 17), amount: o.amount, identificationNumber: `SIM${String(o.sequence).padStart(7, '0')}`,
    name: 'SIMULATED SENDER', discretionaryData: '', addendaIndicator: 0,
    traceNumber: simulatedOdfiRouting.slice(0, 8) + String(o.sequence).padStart(7, '0'),
  }
  return writeNacha(completeControls({
    header: fileHeader(bankRouting, simulatedOdfiRouting, o.now),
    batches: [{
      header: batchHeader({ secCode: 'PPD', companyName: simulatedCompanyName, companyId: simulatedCompanyId, description: o.dcSign === 'credit' ? 'DEPOSIT' : 'PAYMENT', effectiveDate: o.effectiveDate, originatingDfi: simulatedOdfiRouting }),
      entries: [{ detail, addenda: [] }],
    }],
  }))
}

/**
 * The entry of a file the simulated bank sends back about an entry Keel sent (a return, a NOC, a
 * dishonor, a contest): to Keel's routing number, for that entry's account, with one addenda.
 */
function entryAbout(r: OutgoingRow, transactionCode: number, amount: number, trace: string): StandardEntryDetail {
  return {
    layout: 'standard', transactionCode, receivingDfi: bankRouting.slice(0, 8), checkDigit: bankRouting.slice(8, 9),
    accountNumber: r.account_no, amount, identificationNumber: r.id.replace(/-/g, '').slice(0, 15).toUpperCase(),
    name: alphanumericField(r.account_name ?? '', 22), discretionaryData: '', addendaIndicator: 1, traceNumber: trace,
  }
}

/** The receiving bank's return of an entry Keel sent, with the reason code asked for. */
export function returnFile(original: OutgoingRow, returnCode: string, o: { sequence: number; now: Date }): string {
  const rdfi = original.routing_no
  const trace = rdfi.slice(0, 8) + String(o.sequence).padStart(7, '0')
  const detail = entryAbout(original, transactionCodeOf({ ...original, kind: 'RETURN' }), Number(original.amount), trace)
  const addenda: Addenda = {
    typeCode: '99', kind: 'return', returnReasonCode: returnCode, originalTraceNumber: original.trace_no, dateOfDeath: '',
    originalReceivingDfi: rdfi.slice(0, 8), addendaInformation: '', traceNumber: trace,
  }
  const today = easternOf(o.now).date
  return writeNacha(completeControls({
    header: fileHeader(bankRouting, rdfi, o.now),
    batches: [{
      header: batchHeader({ secCode: original.sec_code, companyName: original.company_name, companyId: original.company_id, description: original.company_entry_description, effectiveDate: today, originatingDfi: rdfi }),
      entries: [{ detail, addenda: [addenda] }],
    }],
  }))
}

/** The receiving bank's notification of change (COR) about an entry Keel sent. */
export function nocFile(original: OutgoingRow, changeCode: string, correctedData: string, o: { sequence: number; now: Date }): string {
  const rdfi = original.routing_no
  const trace = rdfi.slice(0, 8) + String(o.sequence).padStart(7, '0')
  const detail = entryAbout(original, transactionCodeOf({ ...original, kind: 'RETURN' }), 0, trace)
  const addenda: Addenda = { typeCode: '98', changeCode, originalTraceNumber: original.trace_no, originalReceivingDfi: rdfi.slice(0, 8), correctedData, traceNumber: trace }
  return writeNacha(completeControls({
    header: fileHeader(bankRouting, rdfi, o.now),
    batches: [{
      header: batchHeader({ secCode: 'COR', companyName: original.company_name, companyId: original.company_id, description: original.company_entry_description, effectiveDate: easternOf(o.now).date, originatingDfi: rdfi }),
      entries: [{ detail, addenda: [addenda] }],
    }],
  }))
}

/** The originating bank's dishonored return (R61, R62, R67-R70) of a return Keel sent; R69 names `fieldErrors`. */
export function dishonoredReturnFile(ours: OutgoingRow, code: string, fieldErrors: string, o: { sequence: number; now: Date }): string {
  const odfi = ours.routing_no
  const trace = odfi.slice(0, 8) + String(o.sequence).padStart(7, '0')
  const detail = entryAbout(ours, transactionCodeOf(ours), Number(ours.amount), trace)
  const addenda: Addenda = {
    typeCode: '99', kind: 'dishonored', dishonoredReturnReasonCode: code, originalTraceNumber: ours.original_trace!, originalReceivingDfi: bankRouting.slice(0, 8),
    returnTraceNumber: ours.trace_no, returnSettlementDate: julianDay(ours.effective_date), returnReasonCode: ours.return_code!.slice(1),
    addendaInformation: code === 'R69' ? fieldErrors : '', traceNumber: trace,
  }
  const today = easternOf(o.now).date
  // A dishonor of Keel's return of an IAT entry comes as that entry came: in an IAT batch.
  const batch = ours.iat_record
    ? iatBatchAbout(ours.iat_record, { transactionCode: detail.transactionCode, receivingRouting: bankRouting, accountNumber: ours.account_no, amount: detail.amount, trace, addenda99: addenda, effectiveDate: today, originatingDfi: odfi, batchNumber: 1 })
    : {
      header: batchHeader({ secCode: ours.sec_code, companyName: ours.company_name, companyId: ours.company_id, description: ours.company_entry_description, effectiveDate: today, originatingDfi: odfi }),
      entries: [{ detail, addenda: [addenda] }],
    }
  return writeNacha(completeControls({ header: fileHeader(bankRouting, odfi, o.now), batches: [batch] }))
}

/** The receiving bank's contested dishonored return (R71-R77) of a dishonored return Keel sent. */
export function contestedDishonorFile(dishonor: OutgoingRow, code: string, o: { sequence: number; now: Date }): string {
  const rdfi = dishonor.routing_no
  const d = dishonor.return_data!
  const trace = rdfi.slice(0, 8) + String(o.sequence).padStart(7, '0')
  const detail = entryAbout(dishonor, transactionCodeOf(dishonor), Number(dishonor.amount), trace)
  const addenda: Addenda = {
    typeCode: '99', kind: 'contested', contestedReturnReasonCode: code, originalTraceNumber: dishonor.original_trace!, dateOriginalEntryReturned: '',
    originalReceivingDfi: d.original_dfi_no.slice(0, 8), originalSettlementDate: '', returnTraceNumber: d.return_trace ?? '', returnSettlementDate: d.return_settlement_date ?? '',
    returnReasonCode: d.return_code ?? '', dishonoredReturnTraceNumber: dishonor.trace_no, dishonoredReturnSettlementDate: julianDay(dishonor.effective_date),
    dishonoredReturnReasonCode: dishonor.return_code!.slice(1), traceNumber: trace,
  }
  return writeNacha(completeControls({
    header: fileHeader(bankRouting, rdfi, o.now),
    batches: [{
      header: batchHeader({ secCode: dishonor.sec_code, companyName: dishonor.company_name, companyId: dishonor.company_id, description: dishonor.company_entry_description, effectiveDate: easternOf(o.now).date, originatingDfi: rdfi }),
      entries: [{ detail, addenda: [addenda] }],
    }],
  }))
}
