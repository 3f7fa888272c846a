// Writing a NACHA file: 94-character records, blocked to 10 with lines of 9s, with the line
// endings of the file it was read from (LF with a final line ending for a file built in code).
// The records go straight into one Latin-1 buffer of the file's exact size (fields.ts).

import { writeAddenda } from './addenda.js'
import { writeBatchControl } from './batch-control.js'
import { writeStandardBatchHeader } from './batch-header.js'
import { blockingFactor, recordCountOf } from './controls.js'
import { writeEntryDetail } from './entry-detail.js'
import { RecordWriter } from './fields.js'
import type { NachaFile, NachaLayout } from './file.js'
import { writeFileControl } from './file-control.js'
import { writeFileHeader } from './file-header.js'
import { writeIatBatchHeader } from './iat.js'

const recordLength = 94
const defaultLayout: NachaLayout = { lineEnding: '\n', finalLineEnding: true }

/** The file's bytes (ASCII). */
export function writeNachaBytes(file: NachaFile): Buffer {
  const { lineEnding, finalLineEnding } = file.layout ?? defaultLayout
  const records = recordCountOf(file.batches)
  const lines = Math.ceil(records / blockingFactor) * blockingFactor
  const stride = recordLength + lineEnding.length
  const bytes = Buffer.alloc(lines * stride - (finalLineEnding ? 0 : lineEnding.length), 32)
  const w = new RecordWriter(bytes)
  let line = 0
  const next = () => w.at(stride * line++)

  writeFileHeader(next(), file.header)
  for (const batch of file.batches) {
    const header = batch.header
    if (header.layout === 'iat') writeIatBatchHeader(next(), header)
    else writeStandardBatchHeader(next(), header)
    for (const entry of batch.entries) {
      writeEntryDetail(next(), entry.detail)
      for (const addenda of entry.addenda) writeAddenda(next(), addenda)
    }
    writeBatchControl(next(), batch.control)
  }
  writeFileControl(next(), file.control)
  for (; line < lines; line++) bytes.fill(57, line * stride, line * stride + recordLength)
  const cr = lineEnding.length === 2
  for (let i = 0; i < lines; i++) {
    const end = i * stride + recordLength
    if (end >= bytes.length) break
    if (cr) bytes[end] = 13
    bytes[end + lineEnding.length - 1] = 10
  }
  return bytes
}

/**
 * The file's text. Controls are written as they are: run `completeControls` on a file built in
 * code. A field value that does not fit its width, or is not printable ASCII, fails an assertion
 * (a caller's bug).
 */
export function writeNacha(file: NachaFile): string {
  return writeNachaBytes(file).toString('latin1')
}
