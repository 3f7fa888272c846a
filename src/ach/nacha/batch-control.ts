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
import { alpha, numeric, spaces, type FieldReader } from './fields.js'

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

export function writeStandardBatchControl(c: StandardBatchControl): string {
  return '8' + numeric(c.serviceClassCode, 3, 'serviceClassCode') + numeric(c.entryAddendaCount, 6, 'entryAddendaCount')
    + numeric(c.entryHash, 10, 'entryHash') + numeric(c.totalDebit, 12, 'totalDebit') + numeric(c.totalCredit, 12, 'totalCredit')
    + alpha(c.companyIdentification, 10, 'companyIdentification') + alpha(c.messageAuthenticationCode, 19, 'messageAuthenticationCode')
    + spaces(6) + alpha(c.originatingDfi, 8, 'originatingDfi') + numeric(c.batchNumber, 7, 'batchNumber')
}

export function writeBatchControl(c: BatchControl): string {
  return c.layout === 'adv' ? writeAdvBatchControl(c) : writeStandardBatchControl(c)
}
