// File header record, type 1: the first record of every file.
//
//  pos  len  field
//  1     1   record type '1'
//  2-3   2   priorityCode (01)
//  4-13  10  immediateDestination (routing of the receiving point, right-justified: ' 231380104')
//  14-23 10  immediateOrigin (routing or company id of the sender)
//  24-29 6   fileCreationDate YYMMDD
//  30-33 4   fileCreationTime HHMM (optional)
//  34    1   fileIdModifier A-Z, 0-9
//  35-37 3   recordSize (094)
//  38-39 2   blockingFactor (10)
//  40    1   formatCode (1)
//  41-63 23  immediateDestinationName
//  64-86 23  immediateOriginName
//  87-94 8   referenceCode

import type { FieldReader, RecordWriter } from './fields.js'

export interface FileHeader {
  priorityCode: number
  /** Leading spaces dropped; written right-justified in 10 characters. */
  immediateDestination: string
  /** Leading spaces dropped; written right-justified in 10 characters. */
  immediateOrigin: string
  fileCreationDate: string
  fileCreationTime: string
  fileIdModifier: string
  recordSize: number
  blockingFactor: number
  formatCode: number
  immediateDestinationName: string
  immediateOriginName: string
  referenceCode: string
  /** The line it was read from; set by the reader, ignored by the writer. */
  line?: number
}

export function readFileHeader(r: FieldReader): FileHeader {
  return {
    priorityCode: r.number(2, 3, 'priorityCode'),
    immediateDestination: r.rightJustified(4, 13),
    immediateOrigin: r.rightJustified(14, 23),
    fileCreationDate: r.raw(24, 29),
    fileCreationTime: r.text(30, 33),
    fileIdModifier: r.raw(34, 34),
    recordSize: r.number(35, 37, 'recordSize'),
    blockingFactor: r.number(38, 39, 'blockingFactor'),
    formatCode: r.number(40, 40, 'formatCode'),
    immediateDestinationName: r.text(41, 63),
    immediateOriginName: r.text(64, 86),
    referenceCode: r.text(87, 94),
    line: r.lineNumber,
  }
}

export function writeFileHeader(w: RecordWriter, h: FileHeader): void {
  w.literal(1, '1')
  w.numeric(2, 3, h.priorityCode, 'priorityCode')
  w.right(4, 13, h.immediateDestination, 'immediateDestination')
  w.right(14, 23, h.immediateOrigin, 'immediateOrigin')
  w.alpha(24, 29, h.fileCreationDate, 'fileCreationDate')
  w.alpha(30, 33, h.fileCreationTime, 'fileCreationTime')
  w.alpha(34, 34, h.fileIdModifier, 'fileIdModifier')
  w.numeric(35, 37, h.recordSize, 'recordSize')
  w.numeric(38, 39, h.blockingFactor, 'blockingFactor')
  w.numeric(40, 40, h.formatCode, 'formatCode')
  w.alpha(41, 63, h.immediateDestinationName, 'immediateDestinationName')
  w.alpha(64, 86, h.immediateOriginName, 'immediateOriginName')
  w.alpha(87, 94, h.referenceCode, 'referenceCode')
}
