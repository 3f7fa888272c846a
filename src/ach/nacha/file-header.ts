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

import { alpha, numeric, right, type FieldReader } from './fields.js'

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

export function writeFileHeader(h: FileHeader): string {
  return '1' + numeric(h.priorityCode, 2, 'priorityCode') + right(h.immediateDestination, 10, 'immediateDestination')
    + right(h.immediateOrigin, 10, 'immediateOrigin') + alpha(h.fileCreationDate, 6, 'fileCreationDate')
    + alpha(h.fileCreationTime, 4, 'fileCreationTime') + alpha(h.fileIdModifier, 1, 'fileIdModifier')
    + numeric(h.recordSize, 3, 'recordSize') + numeric(h.blockingFactor, 2, 'blockingFactor')
    + numeric(h.formatCode, 1, 'formatCode') + alpha(h.immediateDestinationName, 23, 'immediateDestinationName')
    + alpha(h.immediateOriginName, 23, 'immediateOriginName') + alpha(h.referenceCode, 8, 'referenceCode')
}
