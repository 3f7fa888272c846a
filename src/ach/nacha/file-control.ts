// File control record, type 9: the file's counts, hash and totals.
//
//  pos    len  field                    ADV files (layout 'adv')
//  1       1   record type '9'
//  2-7     6   batchCount
//  8-13    6   blockCount (10-record blocks, filler included)
//  14-21   8   entryAddendaCount
//  22-31   10  entryHash
//  32-43   12  totalDebit (cents)       32-51  20
//  44-55   12  totalCredit (cents)      52-71  20
//  56-94   39  reserved                 72-94  23 reserved

export interface FileControl {
  layout: 'standard' | 'adv'
  batchCount: number
  blockCount: number
  entryAddendaCount: number
  entryHash: number
  totalDebit: number
  totalCredit: number
  line?: number
}
