// Writing a NACHA file: 94-character records, blocked to 10 with lines of 9s, with the line
// endings of the file it was read from (LF with a final line ending for a file built in code).

import { writeAddenda } from './addenda.js'
import { writeBatchControl } from './batch-control.js'
import { writeStandardBatchHeader, type BatchHeader } from './batch-header.js'
import { blockingFactor } from './controls.js'
import { writeEntryDetail } from './entry-detail.js'
import type { NachaFile, NachaLayout } from './file.js'
import { writeFileControl } from './file-control.js'
import { writeFileHeader } from './file-header.js'
import { writeIatBatchHeader } from './iat.js'

const filler = '9'.repeat(94)
const defaultLayout: NachaLayout = { lineEnding: '\n', finalLineEnding: true }

function writeBatchHeader(header: BatchHeader): string {
  return header.layout === 'iat' ? writeIatBatchHeader(header) : writeStandardBatchHeader(header)
}

/**
 * The file's text. Controls are written as they are: run `completeControls` on a file built in
 * code. A field value that does not fit its width fails an assertion (a caller's bug).
 */
export function writeNacha(file: NachaFile): string {
  const { lineEnding, finalLineEnding } = file.layout ?? defaultLayout
  const lines: string[] = [writeFileHeader(file.header)]
  for (const batch of file.batches) {
    lines.push(writeBatchHeader(batch.header))
    for (const entry of batch.entries) {
      lines.push(writeEntryDetail(entry.detail))
      for (const addenda of entry.addenda) lines.push(writeAddenda(addenda))
    }
    lines.push(writeBatchControl(batch.control))
  }
  lines.push(writeFileControl(file.control))
  while (lines.length % blockingFactor !== 0) lines.push(filler)
  const text = lines.join(lineEnding)
  return finalLineEnding ? text + lineEnding : text
}
