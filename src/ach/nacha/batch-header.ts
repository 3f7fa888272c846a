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

import { alpha, numeric, type FieldReader } from './fields.js'
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

export function writeStandardBatchHeader(h: StandardBatchHeader): string {
  return '5' + numeric(h.serviceClassCode, 3, 'serviceClassCode') + alpha(h.companyName, 16, 'companyName')
    + alpha(h.companyDiscretionaryData, 20, 'companyDiscretionaryData') + alpha(h.companyIdentification, 10, 'companyIdentification')
    + alpha(h.secCode, 3, 'secCode') + alpha(h.companyEntryDescription, 10, 'companyEntryDescription')
    + alpha(h.companyDescriptiveDate, 6, 'companyDescriptiveDate') + alpha(h.effectiveEntryDate, 6, 'effectiveEntryDate')
    + alpha(h.settlementDate, 3, 'settlementDate') + alpha(h.originatorStatusCode, 1, 'originatorStatusCode')
    + alpha(h.originatingDfi, 8, 'originatingDfi') + numeric(h.batchNumber, 7, 'batchNumber')
}
