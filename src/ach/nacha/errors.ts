// What reading and validating a NACHA file can find wrong: a closed list of codes, each reported
// with the record, line, field and value it concerns. Errors make a file invalid; warnings name
// what the reader forgave (see "Leniency" in docs/nacha.md) or what is odd but within the Rules.

export type NachaRecordName =
  | 'fileHeader' | 'batchHeader' | 'entryDetail' | 'addenda' | 'batchControl' | 'fileControl'
  | 'filler' | 'file'

/** The record name for a record type character ('1', '5', '6', '7', '8', '9'). */
export function recordNameOf(typeChar: string): NachaRecordName {
  switch (typeChar) {
    case '1': return 'fileHeader'
    case '5': return 'batchHeader'
    case '6': return 'entryDetail'
    case '7': return 'addenda'
    case '8': return 'batchControl'
    case '9': return 'fileControl'
    default: return 'file'
  }
}

export const nachaErrorCodes = [
  /** The input is empty or holds no record. */
  'empty',
  /** More records than `nachaRecordsMax`, or a line far past 94 characters: not read further. */
  'tooLarge',
  /** A line longer than 94 characters whose excess is not spaces. */
  'lineTooLong',
  /** A character outside printable ASCII (0x20–0x7E). */
  'nonAscii',
  /** The first character of a line is not a NACHA record type. */
  'unknownRecordType',
  /** A record where the file's structure does not allow it (e.g. an entry before a batch header). */
  'recordOrder',
  /** A record the structure requires is absent (file header, batch control, file control). */
  'missingRecord',
  /** A numeric field holds something other than digits. */
  'notNumeric',
  /** A mandatory field is blank. */
  'required',
  /** A field's value is outside what the Rules allow for it. */
  'invalidValue',
  /** A date field is not a calendar date (YYMMDD, HHMM, MMDD, MMYY or a Julian day). */
  'invalidDate',
  /** A routing number's check digit does not match. */
  'routingCheckDigit',
  /** A transaction code the batch's service class or SEC code does not allow. */
  'transactionCodeNotAllowed',
  /** An addenda type the entry's SEC code does not allow, or more addenda than allowed. */
  'addendaNotAllowed',
  /** The addenda record indicator disagrees with the addenda present. */
  'addendaIndicator',
  /** Addenda sequence or entry detail sequence numbers out of order. */
  'addendaSequence',
  /** A trace number not ascending within its batch, or not starting with the ODFI's routing. */
  'traceNumber',
  /** A batch or file control total, count or hash that is not what the records add up to. */
  'controlMismatch',
  /** Reading stopped after `nachaErrorsMax` errors. */
  'tooManyErrors',
] as const
export type NachaErrorCode = (typeof nachaErrorCodes)[number]

export const nachaWarningCodes = [
  /** A line shorter than 94 characters, read as if right-padded with spaces. */
  'shortLinePadded',
  /** A file delivered as one line, read as consecutive 94-character records. */
  'singleLineSplit',
  /** Spaces past the 94th character of a line, dropped. */
  'trailingSpacesTrimmed',
  /** Blank lines, dropped. */
  'blankLinesTrimmed',
  /** Some lines end in CRLF and others in LF; the file is written back with one kind. */
  'mixedLineEndings',
  /** The records are not followed by the 9-filled lines that block the file to a multiple of 10. */
  'blockingFiller',
  /** A reserved field holds something other than spaces; writing the file back blanks it. */
  'reservedNotBlank',
  /** An IAT entry's addenda count field differs from the addenda records present (writers differ). */
  'iatAddendaCount',
] as const
export type NachaWarningCode = (typeof nachaWarningCodes)[number]

export interface NachaIssue<Code extends string> {
  code: Code
  record: NachaRecordName
  /** 1-based line of the input (after splitting a one-line file, the record's number). */
  line: number
  /** The field's name as the record's interface spells it; '' for a whole record or file. */
  field: string
  /** The field's text as found (or the found total, for a control). */
  value: string
  message: string
}
export type NachaError = NachaIssue<NachaErrorCode>
export type NachaWarning = NachaIssue<NachaWarningCode>

/** Limits of what the reader takes on, so a hostile input costs a bounded amount of work. */
export const nachaRecordsMax = 5_000_000
export const nachaErrorsMax = 1_000
export const nachaWarningsMax = 1_000
