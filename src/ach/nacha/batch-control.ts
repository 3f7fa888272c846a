// Batch control record, type 8: the batch's counts, hash and totals (ADV's layout is in adv.ts).
//
//  pos   len  field
//  1      1   record type '8'
//  2-4    3   serviceClassCode (as the batch header)
//  5-10   6   entryAddendaCount (entry and addenda records)
//  11-20  10  entryHash (sum of the entries' 8-digit RDFI ids, last 10 digits)
//  21-32  12  totalDebit (cents)
//  33-44  12  totalCredit (cents)
//  45-54  10  companyIdentification (as the batch header)
//  55-73  19  messageAuthenticationCode
//  74-79  6   reserved
//  80-87  8   originatingDfi
//  88-94  7   batchNumber

import { writeAdvBatchControl, type AdvBatchControl } from './adv.js'
import type { FieldReader, RecordWriter } from './fields.js'

export interface StandardBatchControl {
  layout: 'standard'
  serviceClassCode: number
  entryAddendaCount: number
  entryHash: number
  totalDebit: number
  totalCredit: number
  companyIdentification: string
  messageAuthenticationCode: string
  originatingDfi: string
  batchNumber: number
  line?: number
}

export type BatchControl = StandardBatchControl | AdvBatchControl

export function readStandardBatchControl(r: FieldReader): StandardBatchControl {
  r.reserved(74, 79)
  return {
    layout: 'standard',
    serviceClassCode: r.number(2, 4, 'serviceClassCode'),
    entryAddendaCount: r.number(5, 10, 'entryAddendaCount'),
    entryHash: r.number(11, 20, 'entryHash'),
    totalDebit: r.number(21, 32, 'totalDebit'),
    totalCredit: r.number(33, 44, 'totalCredit'),
    companyIdentification: r.text(45, 54),
    messageAuthenticationCode: r.text(55, 73),
    originatingDfi: r.digits(80, 87, 'originatingDfi'),
    batchNumber: r.number(88, 94, 'batchNumber'),
    line: r.lineNumber,
  }
}

export function writeStandardBatchControl(w: RecordWriter, c: StandardBatchControl): void {
  w.literal(1, '8')
  w.numeric(2, 4, c.serviceClassCode, 'serviceClassCode')
  w.numeric(5, 10, c.entryAddendaCount, 'entryAddendaCount')
  w.numeric(11, 20, c.entryHash, 'entryHash')
  w.numeric(21, 32, c.totalDebit, 'totalDebit')
  w.numeric(33, 44, c.totalCredit, 'totalCredit')
  w.alpha(45, 54, c.companyIdentification, 'companyIdentification')
  w.alpha(55, 73, c.messageAuthenticationCode, 'messageAuthenticationCode')
  w.alpha(80, 87, c.originatingDfi, 'originatingDfi')
  w.numeric(88, 94, c.batchNumber, 'batchNumber')
}

export function writeBatchControl(w: RecordWriter, c: BatchControl): void {
  if (c.layout === 'adv') writeAdvBatchControl(w, c)
  else writeStandardBatchControl(w, c)
}
