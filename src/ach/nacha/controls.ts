// What a batch's and a file's control records must say, computed from their entries; and
// `completeControls`, which fills them in for a file being built.

import { assert } from '../../platform/assert.js'
import type { AdvBatchControl } from './adv.js'
import type { BatchControl, StandardBatchControl } from './batch-control.js'
import type { BatchHeader } from './batch-header.js'
import { transactionCodes } from './codes.js'
import type { Batch, Entry, NachaFile, NachaLayout, NachaSummary, NachaTotals } from './file.js'
import type { FileControl } from './file-control.js'
import type { FileHeader } from './file-header.js'

/** Records per block: a file's record count is padded with 9-filled lines to a multiple of it. */
export const blockingFactor = 10
/** The entry hash keeps the last ten digits of the sum of the entries' RDFI ids. */
const entryHashModulus = 10_000_000_000

// +1 credit, -1 debit, 0 not a transaction code: a table, since totals look it up per entry.
const directionByCode = new Int8Array(100)
for (const [code, info] of transactionCodes) directionByCode[code] = info.direction === 'credit' ? 1 : -1

/** +1 for a credit transaction code, -1 for a debit, 0 for anything else. */
export function directionOf(transactionCode: number): number {
  return transactionCode >= 0 && transactionCode < 100 ? directionByCode[transactionCode]! : 0
}

/** The 8-digit RDFI id as a number; NaN when it is not 8 digits. */
function rdfiValue(receivingDfi: string): number {
  if (receivingDfi.length !== 8) return NaN
  let value = 0
  for (let i = 0; i < 8; i++) {
    const c = receivingDfi.charCodeAt(i)
    if (c < 48 || c > 57) return NaN
    value = value * 10 + (c - 48)
  }
  return value
}

export interface EntrySums {
  entries: number
  addenda: number
  /** Entry and addenda records: what a control's entryAddendaCount says. */
  entryAddendaCount: number
  /** The raw sum of RDFI ids; `entryHashOf` keeps its last ten digits. */
  rdfiSum: number
  totalDebit: number
  totalCredit: number
}

export function sumEntries(entries: readonly Entry[]): EntrySums {
  let addenda = 0, rdfiSum = 0, totalDebit = 0, totalCredit = 0
  for (let i = 0; i < entries.length; i++) {
    const { detail } = entries[i]!
    addenda += entries[i]!.addenda.length
    const rdfi = rdfiValue(detail.receivingDfi)
    if (rdfi === rdfi) rdfiSum += rdfi
    const direction = directionOf(detail.transactionCode)
    if (direction > 0) totalCredit += detail.amount
    else if (direction < 0) totalDebit += detail.amount
  }
  return { entries: entries.length, addenda, entryAddendaCount: entries.length + addenda, rdfiSum, totalDebit, totalCredit }
}

export const entryHashOf = (rdfiSum: number): number => rdfiSum % entryHashModulus

/** Records a file holds before its filler: header, control, and each batch's records. */
export function recordCountOf(batches: readonly { entries: readonly Entry[] }[]): number {
  let count = 2
  for (const batch of batches) {
    count += 2 + batch.entries.length
    for (const entry of batch.entries) count += entry.addenda.length
  }
  return count
}

export const blockCountOf = (records: number): number => Math.ceil(records / blockingFactor)

const isAdvHeader = (header: BatchHeader): boolean => header.layout === 'standard' && header.secCode === 'ADV'

/** The batch control its header and entries call for; MAC and ADV operator data from `previous`. */
export function batchControlFor(header: BatchHeader, entries: readonly Entry[], previous?: BatchControl): BatchControl {
  const sums = sumEntries(entries)
  const common = {
    serviceClassCode: header.serviceClassCode,
    entryAddendaCount: sums.entryAddendaCount,
    entryHash: entryHashOf(sums.rdfiSum),
    totalDebit: sums.totalDebit,
    totalCredit: sums.totalCredit,
    originatingDfi: header.originatingDfi,
    batchNumber: header.batchNumber,
  }
  if (isAdvHeader(header)) {
    const control: AdvBatchControl = { layout: 'adv', ...common, achOperatorData: previous?.layout === 'adv' ? previous.achOperatorData : '' }
    return control
  }
  const control: StandardBatchControl = {
    layout: 'standard', ...common,
    companyIdentification: header.layout === 'standard' ? header.companyIdentification : '',
    messageAuthenticationCode: previous?.layout === 'standard' ? previous.messageAuthenticationCode : '',
  }
  return control
}

/** The file control its batches call for. An ADV file (every batch ADV) uses the wide layout. */
export function fileControlFor(batches: readonly Batch[]): FileControl {
  let entryAddendaCount = 0, rdfiSum = 0, totalDebit = 0, totalCredit = 0
  for (const batch of batches) {
    const sums = sumEntries(batch.entries)
    entryAddendaCount += sums.entryAddendaCount
    rdfiSum += sums.rdfiSum
    totalDebit += sums.totalDebit
    totalCredit += sums.totalCredit
  }
  return {
    layout: batches.length > 0 && batches.every((b) => isAdvHeader(b.header)) ? 'adv' : 'standard',
    batchCount: batches.length,
    blockCount: blockCountOf(recordCountOf(batches)),
    entryAddendaCount,
    entryHash: entryHashOf(rdfiSum),
    totalDebit,
    totalCredit,
  }
}

/** A file being built: headers and entries; controls are optional and recomputed. */
export interface NachaFileDraft {
  header: FileHeader
  batches: { header: BatchHeader; entries: Entry[]; control?: BatchControl }[]
  layout?: NachaLayout
}

/**
 * The file with every batch control and the file control computed from its entries, and each
 * entry's addenda record indicator set from its addenda. Returns new objects; the draft is not
 * changed.
 */
export function completeControls(draft: NachaFileDraft): NachaFile {
  const batches: Batch[] = draft.batches.map((batch) => {
    const entries = batch.entries.map((entry) => {
      const addendaIndicator = entry.addenda.length > 0 ? 1 : 0
      return entry.detail.addendaIndicator === addendaIndicator ? entry : { detail: { ...entry.detail, addendaIndicator }, addenda: entry.addenda }
    })
    return { header: batch.header, entries, control: batchControlFor(batch.header, entries, batch.control) }
  })
  const control = fileControlFor(batches)
  assert(control.entryAddendaCount === batches.reduce((n, b) => n + b.control.entryAddendaCount, 0), 'file count is the sum of batch counts')
  return draft.layout ? { header: draft.header, batches, control, layout: draft.layout } : { header: draft.header, batches, control }
}

/** Batches, entries, addenda and debit/credit totals, overall and per SEC code. */
export function summarize(batches: readonly Batch[]): NachaSummary {
  const zero = (): NachaTotals => ({ batches: 0, entries: 0, addenda: 0, totalDebit: 0, totalCredit: 0 })
  const summary: NachaSummary = { ...zero(), bySecCode: {} }
  for (const batch of batches) {
    const sums = sumEntries(batch.entries)
    const sec = batch.header.secCode
    const bucket = (summary.bySecCode[sec] ??= zero())
    for (const totals of [summary, bucket]) {
      totals.batches += 1
      totals.entries += sums.entries
      totals.addenda += sums.addenda
      totals.totalDebit += sums.totalDebit
      totals.totalCredit += sums.totalCredit
    }
  }
  return summary
}
