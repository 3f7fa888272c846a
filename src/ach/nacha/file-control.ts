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

import type { FieldReader, RecordWriter } from './fields.js'

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

export function writeFileControl(w: RecordWriter, c: FileControl): void {
  const wide = c.layout === 'adv'
  w.literal(1, '9')
  w.numeric(2, 7, c.batchCount, 'batchCount')
  w.numeric(8, 13, c.blockCount, 'blockCount')
  w.numeric(14, 21, c.entryAddendaCount, 'entryAddendaCount')
  w.numeric(22, 31, c.entryHash, 'entryHash')
  if (wide) {
    w.numeric(32, 51, c.totalDebit, 'totalDebit')
    w.numeric(52, 71, c.totalCredit, 'totalCredit')
  } else {
    w.numeric(32, 43, c.totalDebit, 'totalDebit')
    w.numeric(44, 55, c.totalCredit, 'totalCredit')
  }
}
