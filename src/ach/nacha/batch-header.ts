// Batch header record, type 5, for every SEC code but IAT (whose layout is in iat.ts).
//
//  pos   len  field
//  1      1   record type '5'
//  2-4    3   serviceClassCode (200 mixed, 220 credits, 225 debits, 280 ADV)
//  5-20   16  companyName
//  21-40  20  companyDiscretionaryData
//  41-50  10  companyIdentification
//  51-53  3   secCode
//  54-63  10  companyEntryDescription
//  64-69  6   companyDescriptiveDate
//  70-75  6   effectiveEntryDate YYMMDD (blank for ENR)
//  76-78  3   settlementDate (Julian day; the ACH operator fills it)
//  79     1   originatorStatusCode
//  80-87  8   originatingDfi (ODFI routing, first 8 digits)
//  88-94  7   batchNumber

import type { FieldReader, RecordWriter } from './fields.js'
import type { IatBatchHeader } from './iat.js'

export interface StandardBatchHeader {
  layout: 'standard'
  serviceClassCode: number
  companyName: string
  companyDiscretionaryData: string
  companyIdentification: string
  /** One of `secCodes`; kept as read when it is not (the reader reports it). */
  secCode: string
  companyEntryDescription: string
  companyDescriptiveDate: string
  effectiveEntryDate: string
  settlementDate: string
  originatorStatusCode: string
  originatingDfi: string
  batchNumber: number
  line?: number
}

export type BatchHeader = StandardBatchHeader | IatBatchHeader

export function readStandardBatchHeader(r: FieldReader): StandardBatchHeader {
  return {
    layout: 'standard',
    serviceClassCode: r.number(2, 4, 'serviceClassCode'),
    companyName: r.text(5, 20),
    companyDiscretionaryData: r.text(21, 40),
    companyIdentification: r.text(41, 50),
    secCode: r.raw(51, 53),
    companyEntryDescription: r.text(54, 63),
    companyDescriptiveDate: r.text(64, 69),
    effectiveEntryDate: r.text(70, 75),
    settlementDate: r.text(76, 78),
    originatorStatusCode: r.raw(79, 79),
    originatingDfi: r.digits(80, 87, 'originatingDfi'),
    batchNumber: r.number(88, 94, 'batchNumber'),
    line: r.lineNumber,
  }
}

export function writeStandardBatchHeader(w: RecordWriter, h: StandardBatchHeader): void {
  w.literal(1, '5')
  w.numeric(2, 4, h.serviceClassCode, 'serviceClassCode')
  w.alpha(5, 20, h.companyName, 'companyName')
  w.alpha(21, 40, h.companyDiscretionaryData, 'companyDiscretionaryData')
  w.alpha(41, 50, h.companyIdentification, 'companyIdentification')
  w.alpha(51, 53, h.secCode, 'secCode')
  w.alpha(54, 63, h.companyEntryDescription, 'companyEntryDescription')
  w.alpha(64, 69, h.companyDescriptiveDate, 'companyDescriptiveDate')
  w.alpha(70, 75, h.effectiveEntryDate, 'effectiveEntryDate')
  w.alpha(76, 78, h.settlementDate, 'settlementDate')
  w.alpha(79, 79, h.originatorStatusCode, 'originatorStatusCode')
  w.alpha(80, 87, h.originatingDfi, 'originatingDfi')
  w.numeric(88, 94, h.batchNumber, 'batchNumber')
}
