// Validating a NACHA file: every record's values against the Rules (validate-records.ts), and
// every batch and file control recomputed from the entries and compared. Validation never changes
// the file it looks at.

import type { BatchControl } from './batch-control.js'
import { batchControlFor, fileControlFor, summarize } from './controls.js'
import type { NachaRecordName } from './errors.js'
import { IssueSink } from './fields.js'
import type { Batch, NachaFile, ParseOptions, ValidateResult } from './file.js'
import type { FileControl } from './file-control.js'
import { readNacha } from './parse.js'
import { checkBatchHeader, checkEntries, checkFileHeader } from './validate-records.js'

/** Reads and validates a file: the verdict, its summary, every error and warning. */
export function validateNacha(input: string | Uint8Array, opts: ParseOptions = {}): ValidateResult {
  const sink = new IssueSink(opts.errorsMax)
  const { file, batches } = readNacha(input, sink, opts.recordsMax)
  if (file) checkFile(file, sink)
  else for (const batch of batches) checkBatch(batch, sink)
  return { ok: sink.errors.length === 0, summary: summarize(batches), errors: sink.errors, warnings: sink.warnings }
}

/** Validates a file built in code (its records carry no line numbers: errors say line 0). */
export function validateFile(file: NachaFile, opts: ParseOptions = {}): ValidateResult {
  const sink = new IssueSink(opts.errorsMax)
  checkFile(file, sink)
  return { ok: sink.errors.length === 0, summary: summarize(file.batches), errors: sink.errors, warnings: sink.warnings }
}

export function checkFile(file: NachaFile, sink: IssueSink): void {
  checkFileHeader(file.header, sink)
  const advBatches = file.batches.filter((b) => b.header.secCode === 'ADV').length
  if (advBatches > 0 && advBatches < file.batches.length) {
    const first = file.batches.find((b) => b.header.secCode === 'ADV')!
    sink.error('invalidValue', 'batchHeader', first.header.line ?? 0, 'secCode', 'ADV', 'an ADV file holds only ADV batches')
  }
  for (const batch of file.batches) checkBatch(batch, sink)
  checkFileControl(file.control, fileControlFor(file.batches), sink)
}

function checkBatch(batch: Batch, sink: IssueSink): void {
  checkBatchHeader(batch.header, sink)
  checkEntries(batch, sink)
  const expected = batchControlFor(batch.header, batch.entries, batch.control)
  checkBatchControl(batch, expected, sink)
}

function compare(sink: IssueSink, record: NachaRecordName, line: number, field: string, found: number | string, expected: number | string, why: string): void {
  if (typeof found === 'number' && found !== found) return // not digits: reported when read
  if (found === expected) return
  sink.error('controlMismatch', record, line, field, String(found), `${field} is ${found}; ${why} make it ${expected}`)
}

function checkBatchControl(batch: Batch, expected: BatchControl, sink: IssueSink): void {
  const found = batch.control
  const line = found.line ?? 0
  const entries = 'the batch\'s entries'
  compare(sink, 'batchControl', line, 'serviceClassCode', found.serviceClassCode, expected.serviceClassCode, 'the batch header would')
  compare(sink, 'batchControl', line, 'entryAddendaCount', found.entryAddendaCount, expected.entryAddendaCount, `${entries} and addenda`)
  compare(sink, 'batchControl', line, 'entryHash', found.entryHash, expected.entryHash, `${entries}' RDFI ids`)
  compare(sink, 'batchControl', line, 'totalDebit', found.totalDebit, expected.totalDebit, `${entries}' debits`)
  compare(sink, 'batchControl', line, 'totalCredit', found.totalCredit, expected.totalCredit, `${entries}' credits`)
  compare(sink, 'batchControl', line, 'originatingDfi', found.originatingDfi, expected.originatingDfi, 'the batch header would')
  compare(sink, 'batchControl', line, 'batchNumber', found.batchNumber, expected.batchNumber, 'the batch header would')
  if (found.layout === 'standard' && expected.layout === 'standard' && batch.header.layout === 'standard') {
    compare(sink, 'batchControl', line, 'companyIdentification', found.companyIdentification, expected.companyIdentification, 'the batch header would')
  }
}

function checkFileControl(found: FileControl, expected: FileControl, sink: IssueSink): void {
  const line = found.line ?? 0
  compare(sink, 'fileControl', line, 'batchCount', found.batchCount, expected.batchCount, 'the batches')
  compare(sink, 'fileControl', line, 'blockCount', found.blockCount, expected.blockCount, 'the records')
  compare(sink, 'fileControl', line, 'entryAddendaCount', found.entryAddendaCount, expected.entryAddendaCount, 'the entries and addenda')
  compare(sink, 'fileControl', line, 'entryHash', found.entryHash, expected.entryHash, 'the entries\' RDFI ids')
  compare(sink, 'fileControl', line, 'totalDebit', found.totalDebit, expected.totalDebit, 'the entries\' debits')
  compare(sink, 'fileControl', line, 'totalCredit', found.totalCredit, expected.totalCredit, 'the entries\' credits')
}
