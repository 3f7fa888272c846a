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

import type { AdvBatchControl } from './adv.js'

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
