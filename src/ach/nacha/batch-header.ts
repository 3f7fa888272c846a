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
