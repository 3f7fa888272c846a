// Automated Accounting Advices (ADV): the ACH operator's advices to a DFI of its settlement
// activity. Their entries and batch control use wider amount fields than other batches; an ADV
// file's file control does too (file-control.ts, layout 'adv').
//
// Entry detail (6): 2-3 transactionCode (81-88), 4-11 receivingDfi, 12 checkDigit,
//   13-27 15 accountNumber, 28-39 12 amount, 40-48 9 adviceRoutingNumber, 49-53 5 fileIdentification,
//   54 1 achOperatorData, 55-76 22 name, 77-78 2 discretionaryData, 79 addendaIndicator,
//   80-87 8 achOperatorRoutingNumber, 88-90 3 julianDateCreated, 91-94 4 sequenceNumber
// Batch control (8): 2-4 serviceClassCode (280), 5-10 6 entryAddendaCount, 11-20 10 entryHash,
//   21-40 20 totalDebit, 41-60 20 totalCredit, 61-79 19 achOperatorData, 80-87 8 originatingDfi,
//   88-94 7 batchNumber

import type { FieldReader, RecordWriter } from './fields.js'

export interface AdvEntryDetail {
  layout: 'adv'
  transactionCode: number
  receivingDfi: string
  checkDigit: string
  accountNumber: string
  /** Cents. */
  amount: number
  adviceRoutingNumber: string
  fileIdentification: string
  achOperatorData: string
  name: string
  discretionaryData: string
  addendaIndicator: number
  achOperatorRoutingNumber: string
  julianDateCreated: string
  sequenceNumber: number
  line?: number
}

export interface AdvBatchControl {
  layout: 'adv'
  serviceClassCode: number
  entryAddendaCount: number
  entryHash: number
  totalDebit: number
  totalCredit: number
  achOperatorData: string
  originatingDfi: string
  batchNumber: number
  line?: number
}

export function readAdvEntryDetail(r: FieldReader): AdvEntryDetail {
  return {
    layout: 'adv',
    transactionCode: r.number(2, 3, 'transactionCode'),
    receivingDfi: r.digits(4, 11, 'receivingDfi'),
    checkDigit: r.raw(12, 12),
    accountNumber: r.text(13, 27),
    amount: r.number(28, 39, 'amount'),
    adviceRoutingNumber: r.digits(40, 48, 'adviceRoutingNumber'),
    fileIdentification: r.text(49, 53),
    achOperatorData: r.text(54, 54),
    name: r.text(55, 76),
    discretionaryData: r.text(77, 78),
    addendaIndicator: r.number(79, 79, 'addendaIndicator'),
    achOperatorRoutingNumber: r.digits(80, 87, 'achOperatorRoutingNumber'),
    julianDateCreated: r.text(88, 90),
    sequenceNumber: r.number(91, 94, 'sequenceNumber'),
    line: r.lineNumber,
  }
}

export function writeAdvEntryDetail(w: RecordWriter, e: AdvEntryDetail): void {
  w.literal(1, '6')
  w.numeric(2, 3, e.transactionCode, 'transactionCode')
  w.alpha(4, 11, e.receivingDfi, 'receivingDfi')
  w.alpha(12, 12, e.checkDigit, 'checkDigit')
  w.alpha(13, 27, e.accountNumber, 'accountNumber')
  w.numeric(28, 39, e.amount, 'amount')
  w.alpha(40, 48, e.adviceRoutingNumber, 'adviceRoutingNumber')
  w.alpha(49, 53, e.fileIdentification, 'fileIdentification')
  w.alpha(54, 54, e.achOperatorData, 'achOperatorData')
  w.alpha(55, 76, e.name, 'name')
  w.alpha(77, 78, e.discretionaryData, 'discretionaryData')
  w.numeric(79, 79, e.addendaIndicator, 'addendaIndicator')
  w.alpha(80, 87, e.achOperatorRoutingNumber, 'achOperatorRoutingNumber')
  w.alpha(88, 90, e.julianDateCreated, 'julianDateCreated')
  w.numeric(91, 94, e.sequenceNumber, 'sequenceNumber')
}

export function readAdvBatchControl(r: FieldReader): AdvBatchControl {
  return {
    layout: 'adv',
    serviceClassCode: r.number(2, 4, 'serviceClassCode'),
    entryAddendaCount: r.number(5, 10, 'entryAddendaCount'),
    entryHash: r.number(11, 20, 'entryHash'),
    totalDebit: r.number(21, 40, 'totalDebit'),
    totalCredit: r.number(41, 60, 'totalCredit'),
    achOperatorData: r.text(61, 79),
    originatingDfi: r.digits(80, 87, 'originatingDfi'),
    batchNumber: r.number(88, 94, 'batchNumber'),
    line: r.lineNumber,
  }
}

export function writeAdvBatchControl(w: RecordWriter, c: AdvBatchControl): void {
  w.literal(1, '8')
  w.numeric(2, 4, c.serviceClassCode, 'serviceClassCode')
  w.numeric(5, 10, c.entryAddendaCount, 'entryAddendaCount')
  w.numeric(11, 20, c.entryHash, 'entryHash')
  w.numeric(21, 40, c.totalDebit, 'totalDebit')
  w.numeric(41, 60, c.totalCredit, 'totalCredit')
  w.alpha(61, 79, c.achOperatorData, 'achOperatorData')
  w.alpha(80, 87, c.originatingDfi, 'originatingDfi')
  w.numeric(88, 94, c.batchNumber, 'batchNumber')
}
