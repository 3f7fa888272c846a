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

import { numeric, spaces, type FieldReader } from './fields.js'

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

export function readFileControl(r: FieldReader, layout: FileControl['layout']): FileControl {
  const wide = layout === 'adv'
  r.reserved(wide ? 72 : 56, 94)
  return {
    layout,
    batchCount: r.number(2, 7, 'batchCount'),
    blockCount: r.number(8, 13, 'blockCount'),
    entryAddendaCount: r.number(14, 21, 'entryAddendaCount'),
    entryHash: r.number(22, 31, 'entryHash'),
    totalDebit: wide ? r.number(32, 51, 'totalDebit') : r.number(32, 43, 'totalDebit'),
    totalCredit: wide ? r.number(52, 71, 'totalCredit') : r.number(44, 55, 'totalCredit'),
    line: r.lineNumber,
  }
}

export function writeFileControl(c: FileControl): string {
  const amountWidth = c.layout === 'adv' ? 20 : 12
  return '9' + numeric(c.batchCount, 6, 'batchCount') + numeric(c.blockCount, 6, 'blockCount')
    + numeric(c.entryAddendaCount, 8, 'entryAddendaCount') + numeric(c.entryHash, 10, 'entryHash')
    + numeric(c.totalDebit, amountWidth, 'totalDebit') + numeric(c.totalCredit, amountWidth, 'totalCredit')
    + spaces(c.layout === 'adv' ? 23 : 39)
}
