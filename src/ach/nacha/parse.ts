// Reading a NACHA file: lines into records, records into the file's structure. Field formats
// (digits where digits belong) are checked here; what the values mean is validate.ts's business.
// Never throws on any input: everything wrong becomes an error or a warning.

import { readAdvBatchControl, readAdvEntryDetail } from './adv.js'
import { readAddenda } from './addenda.js'
import { readStandardBatchControl } from './batch-control.js'
import { readStandardBatchHeader, type BatchHeader } from './batch-header.js'
import { batchControlFor, blockingFactor, fileControlFor } from './controls.js'
import { entryLayoutOf, readEntryDetail, type EntryLayout } from './entry-detail.js'
import { nachaRecordsMax, recordNameOf } from './errors.js'
import { FieldReader, IssueSink } from './fields.js'
import type { Batch, Entry, NachaFile, NachaLayout, ParseOptions, ParseResult } from './file.js'
import { readFileControl, type FileControl } from './file-control.js'
import { readFileHeader, type FileHeader } from './file-header.js'
import { readIatAddenda, readIatBatchHeader, readIatEntryDetail } from './iat.js'

export const recordLength = 94
const filler = '9'.repeat(recordLength)
/**
 * Anything but printable ASCII and line endings (LF, or CR before LF): when one scan of the whole
 * text finds none, the scan per line is skipped.
 */
const unprintable = /[^\x20-\x7e\r\n]|\r(?!\n)/

/** What reading found, whole or not: validate.ts summarizes batches even without a file header. */
export interface ReadOutcome {
  file?: NachaFile
  batches: Batch[]
}

export function parseNacha(input: string | Uint8Array, opts: ParseOptions = {}): ParseResult {
  const sink = new IssueSink(opts.errorsMax)
  const { file } = readNacha(input, sink, opts.recordsMax)
  return { file, errors: sink.errors, warnings: sink.warnings }
}

/** Bytes are read as Latin-1, one character per byte, so positions are byte positions. */
export function textOf(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1')
}

interface OpenBatch {
  header: BatchHeader
  layout: EntryLayout
  entries: Entry[]
}

export function readNacha(input: string | Uint8Array, sink: IssueSink, recordsMax = nachaRecordsMax): ReadOutcome {
  const text = textOf(input)
  // Every record plus a CRLF: past this, the input cannot be a file of at most recordsMax records.
  const inputCharsMax = recordsMax * (recordLength + 2)
  if (text.length > inputCharsMax) {
    sink.error('tooLarge', 'file', 0, '', String(text.length), `the input has ${text.length} characters; at most ${inputCharsMax} are read`)
    return { batches: [] }
  }
  const layout: NachaLayout = { lineEnding: text.includes('\r\n') ? '\r\n' : '\n', finalLineEnding: text.endsWith('\n') }
  const lines = splitLines(text, layout, sink)
  const printable = !unprintable.test(text)

  const reader = new FieldReader(sink)
  const batches: Batch[] = []
  let header: FileHeader | undefined
  let control: FileControl | undefined
  let open: OpenBatch | undefined
  let entry: Entry | undefined
  let state: 'start' | 'file' | 'end' = 'start'
  let records = 0
  let fillers = 0
  let lastLine = 0

  const closeBatch = (lineNumber: number, found: boolean) => {
    if (!open) return
    if (!found) sink.error('missingRecord', 'batchControl', lineNumber, '', '', `batch ${open.header.batchNumber} (line ${open.header.line}) has no batch control`)
    batches.push({ header: open.header, entries: open.entries, control: batchControlFor(open.header, open.entries) })
    open = undefined
    entry = undefined
  }
  const noHeaderYet = (lineNumber: number) => {
    if (state !== 'start') return
    sink.error('missingRecord', 'fileHeader', lineNumber, '', '', 'the file does not start with a file header (record type 1)')
    state = 'file'
  }

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!
    const lineNumber = i + 1
    const line = fitLine(raw, lineNumber, printable, sink)
    if (line === undefined) continue
    lastLine = lineNumber
    const type = line[0]!
    const record = recordNameOf(type)
    if (type === '9' && line === filler) {
      if (state !== 'end') {
        closeBatch(lineNumber, false)
        sink.error('missingRecord', 'fileControl', lineNumber, '', '', 'block filler (a line of 9s) comes before any file control')
        state = 'end'
      }
      fillers++
      continue
    }
    if (state === 'end') {
      sink.error('recordOrder', record, lineNumber, '', type, `a ${describe(type)} after the file control`)
      continue
    }
    if (++records > recordsMax) {
      sink.error('tooLarge', 'file', lineNumber, '', String(records), `more than ${recordsMax} records`)
      return { batches }
    }
    reader.at(line, lineNumber, record)
    switch (type) {
      case '1':
        if (state !== 'start') { sink.error('recordOrder', record, lineNumber, '', type, 'a second file header'); break }
        header = readFileHeader(reader)
        state = 'file'
        break
      case '5': {
        noHeaderYet(lineNumber)
        closeBatch(lineNumber, false)
        const sec = line.slice(50, 53)
        const batchHeader = sec === 'IAT' ? readIatBatchHeader(reader) : readStandardBatchHeader(reader)
        open = { header: batchHeader, layout: entryLayoutOf(sec), entries: [] }
        break
      }
      case '6': {
        if (!open) { sink.error('recordOrder', record, lineNumber, '', type, 'an entry detail outside a batch'); break }
        const detail = open.layout === 'iat' ? readIatEntryDetail(reader)
          : open.layout === 'adv' ? readAdvEntryDetail(reader)
            : readEntryDetail(reader, open.layout)
        entry = { detail, addenda: [] }
        open.entries.push(entry)
        break
      }
      case '7': {
        if (!entry || !open) { sink.error('recordOrder', record, lineNumber, '', type, 'an addenda record that follows no entry detail'); break }
        const typeCode = line.slice(1, 3)
        const addenda = open.layout === 'iat' ? readIatAddenda(reader, typeCode) ?? readAddenda(reader, typeCode) : readAddenda(reader, typeCode)
        if (addenda) entry.addenda.push(addenda)
        else sink.error('invalidValue', record, lineNumber, 'typeCode', typeCode, `addenda type code ${JSON.stringify(typeCode)} is not one of 02, 05, 98, 99, 10-18`)
        break
      }
      case '8': {
        if (!open) { sink.error('recordOrder', record, lineNumber, '', type, 'a batch control outside a batch'); break }
        const batchControl = open.layout === 'adv' ? readAdvBatchControl(reader) : readStandardBatchControl(reader)
        batches.push({ header: open.header, entries: open.entries, control: batchControl })
        open = undefined
        entry = undefined
        break
      }
      case '9':
        noHeaderYet(lineNumber)
        closeBatch(lineNumber, false)
        control = readFileControl(reader, batches.length > 0 && batches.every((b) => b.header.secCode === 'ADV') ? 'adv' : 'standard')
        state = 'end'
        break
      default:
        sink.error('unknownRecordType', 'file', lineNumber, 'recordType', type, `record type ${JSON.stringify(type)} is not one of 1, 5, 6, 7, 8, 9`)
    }
  }

  if (records === 0) {
    sink.error('empty', 'file', 0, '', '', 'the input holds no NACHA record')
    return { batches }
  }
  noHeaderYet(1)
  if (state !== 'end') {
    closeBatch(lastLine, false)
    sink.error('missingRecord', 'fileControl', lastLine, '', '', 'the file has no file control (record type 9)')
  }
  const expectedFillers = (blockingFactor - (records % blockingFactor)) % blockingFactor
  if (fillers !== expectedFillers) {
    sink.warning('blockingFiller', 'filler', lastLine, '', String(fillers), `${records} records call for ${expectedFillers} lines of 9s to block the file to ${blockingFactor}; found ${fillers}`)
  }
  if (!header) return { batches }
  return { file: { header, batches, control: control ?? fileControlFor(batches), layout }, batches }
}

function describe(type: string): string {
  const name = recordNameOf(type)
  return name === 'file' ? `record of type ${JSON.stringify(type)}` : name
}

/**
 * The input's lines. A file delivered as one line longer than a record is read as consecutive
 * 94-character records (with a warning), as the reference library's users expect.
 */
function splitLines(text: string, layout: NachaLayout, sink: IssueSink): string[] {
  const lines = text.split('\n')
  if (layout.finalLineEnding) lines.pop()
  let crlf = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.charCodeAt(line.length - 1) === 13) { lines[i] = line.slice(0, -1); crlf++ }
  }
  if (crlf > 0 && crlf < lines.length) {
    sink.warning('mixedLineEndings', 'file', 0, '', String(crlf), `${crlf} of ${lines.length} lines end in CRLF, the others in LF`)
  }
  let last = lines.length
  while (last > 0 && isBlank(lines[last - 1]!)) last--
  let first = 0
  while (first < last && isBlank(lines[first]!)) first++
  if (last - first !== 1) return lines
  const only = lines[first]!.trimEnd()
  if (only.length <= recordLength) return lines
  sink.warning('singleLineSplit', 'file', first + 1, '', String(only.length), `a single line of ${only.length} characters, read as ${Math.ceil(only.length / recordLength)} records of ${recordLength}`)
  const records: string[] = []
  for (let at = 0; at < only.length; at += recordLength) records.push(only.slice(at, at + recordLength))
  return records
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) !== 32) return false
  return true
}

/** The line as a 94-character record, forgiving what the leniency rules forgive; undefined to skip. */
function fitLine(line: string, lineNumber: number, printable: boolean, sink: IssueSink): string | undefined {
  let record = line
  if (line.length !== recordLength) {
    if (isBlank(line)) {
      sink.warning('blankLinesTrimmed', 'file', lineNumber, '', '', 'a blank line, skipped')
      return undefined
    }
    const name = recordNameOf(line[0]!)
    if (line.length > recordLength) {
      record = line.slice(0, recordLength)
      if (isBlank(line.slice(recordLength))) {
        sink.warning('trailingSpacesTrimmed', name, lineNumber, '', String(line.length), `${line.length - recordLength} spaces past position ${recordLength}, dropped`)
      } else {
        sink.error('lineTooLong', name, lineNumber, '', String(line.length), `the line has ${line.length} characters; a record has ${recordLength}`)
      }
    } else {
      record = line.padEnd(recordLength, ' ')
      sink.warning('shortLinePadded', name, lineNumber, '', String(line.length), `the line has ${line.length} characters; read as right-padded with spaces to ${recordLength}`)
    }
  }
  if (printable) return record
  for (let i = 0; i < recordLength; i++) {
    const c = record.charCodeAt(i)
    if (c < 32 || c > 126) {
      sink.error('nonAscii', recordNameOf(record[0]!), lineNumber, '', `0x${c.toString(16).padStart(2, '0')}`, `position ${i + 1} holds a character outside printable ASCII`)
      break
    }
  }
  return record
}
