// The NACHA library: read, validate and write ACH files. Its only door; see docs/nacha.md.

export type { Addenda, Addenda02, Addenda05, Addenda98, Addenda99, Addenda99Contested, Addenda99Dishonored, Addenda99Return } from './addenda.js'
export { addenda99KindOf } from './addenda.js'
export type { AdvBatchControl, AdvEntryDetail } from './adv.js'
export type { BatchControl, StandardBatchControl } from './batch-control.js'
export type { BatchHeader, StandardBatchHeader } from './batch-header.js'
export {
  decodeCorrectedData, isCreditCode, isDebitCode, isPrenoteCode, isSecCode, isServiceClassCode, nocCodes, returnCodes,
  secCodes, serviceClassCodes, transactionCode, transactionCodes,
} from './codes.js'
export type {
  AccountKind, CorrectedData, CorrectedField, NocCodeInfo, ReturnCodeInfo, ReturnDeadline, ReturnKind, SecCode,
  ServiceClassCode, TransactionCodeInfo, TransactionPurpose,
} from './codes.js'
export type {
  AddendaCountEntryDetail, CheckTruncationEntryDetail, CieEntryDetail, EntryDetail, EntryLayout, PopEntryDetail,
  ShrEntryDetail, StandardEntryDetail,
} from './entry-detail.js'
export { entryLayoutOf } from './entry-detail.js'
export type { NachaError, NachaErrorCode, NachaIssue, NachaRecordName, NachaWarning, NachaWarningCode } from './errors.js'
export { nachaErrorCodes, nachaErrorsMax, nachaRecordsMax, nachaWarningCodes } from './errors.js'
export type {
  Batch, Entry, NachaFile, NachaLayout, NachaSummary, NachaTotals, ParseOptions, ParseResult, ValidateResult,
} from './file.js'
export type { FileControl } from './file-control.js'
export type { FileHeader } from './file-header.js'
export type {
  Addenda10, Addenda11, Addenda12, Addenda13, Addenda14, Addenda15, Addenda16, Addenda17, Addenda18, IatAddenda,
  IatBatchHeader, IatEntryDetail,
} from './iat.js'
export { isValidRouting, routingCheckDigit } from './routing.js'
export { completeControls, type NachaFileDraft } from './controls.js'
export { parseNacha } from './parse.js'
export { validateFile, validateNacha } from './validate.js'
export { writeNacha, writeNachaBytes } from './write.js'
export { alphanumericField } from './fields.js'
