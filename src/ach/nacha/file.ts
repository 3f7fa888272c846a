// A whole NACHA file as the library reads and writes it, and what reading and validating answer.

import type { Addenda } from './addenda.js'
import type { BatchControl } from './batch-control.js'
import type { BatchHeader } from './batch-header.js'
import type { EntryDetail } from './entry-detail.js'
import type { NachaError, NachaWarning } from './errors.js'
import type { FileControl } from './file-control.js'
import type { FileHeader } from './file-header.js'

export interface Entry {
  detail: EntryDetail
  addenda: Addenda[]
}

export interface Batch {
  header: BatchHeader
  entries: Entry[]
  control: BatchControl
}

/** How the text was laid out, so writing a file read from text gives the same bytes back. */
export interface NachaLayout {
  lineEnding: '\n' | '\r\n'
  /** Whether the last line ends with a line ending. */
  finalLineEnding: boolean
}

export interface NachaFile {
  header: FileHeader
  batches: Batch[]
  control: FileControl
  /** Set by the reader; the writer's default is LF line endings with none after the last line. */
  layout?: NachaLayout
}

export interface ParseOptions {
  /** Stop collecting errors past this many (default `nachaErrorsMax`). */
  errorsMax?: number
  /** Refuse inputs of more records than this (default `nachaRecordsMax`). */
  recordsMax?: number
}

export interface ParseResult {
  /** The file as read, when its structure could be read (it may still have errors). */
  file?: NachaFile
  errors: NachaError[]
  warnings: NachaWarning[]
}

export interface NachaTotals {
  batches: number
  entries: number
  addenda: number
  /** Cents. */
  totalDebit: number
  /** Cents. */
  totalCredit: number
}

export interface NachaSummary extends NachaTotals {
  /** The same totals per SEC code of the batches. */
  bySecCode: Record<string, NachaTotals>
}

export interface ValidateResult {
  ok: boolean
  summary: NachaSummary
  errors: NachaError[]
  warnings: NachaWarning[]
}
