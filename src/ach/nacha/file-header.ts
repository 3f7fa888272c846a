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

export interface FileHeader {
  priorityCode: number
  /** Trimmed; written right-justified in 10 characters. */
  immediateDestination: string
  /** Trimmed; written right-justified in 10 characters. */
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
