// Receiving a NACHA file as the receiving bank: `keel ach ingest`, POST /v0/ach/files and the
// simulations all come here. A file is validated by the NACHA library, recorded once (by its
// SHA-256: the same file again changes nothing), and its entries become incoming entries:
// - effective today or earlier: applied at once (apply.ts);
// - effective later: kept until the first incoming processing time of their date, on the
//   workspace clock (ACH.INCOMING.FUTURE_DATED).
// The fintech's gateway is asked about debits before the transaction, so no row is locked while
// Keel waits for it.

import { createHash } from 'node:crypto'
import type { Services } from '../../platform/http.js'
import { ApiError } from '../../platform/errors.js'
import { recordEvents, type EventInput } from '../../platform/events.js'
import { uuidv7 } from '../../platform/ids.js'
import { ledgerAccountsByNumbers } from '../../ledger/index.js'
import {
  isCreditCode, isPrenoteCode, parseNacha, routingCheckDigit, validateNacha,
  type Addenda05, type Addenda17, type Addenda98, type Addenda99, type Batch, type Entry, type NachaSummary,
} from '../nacha/index.js'
import { incomingFileByHash, insertFile, insertIncoming, lockIncomingFiles, type FileRow, type IncomingRow } from '../store.js'
import { toIncomingAch } from '../views.js'
import { easternOf, incomingProcessingAt } from '../windows/windows.js'
import { businessDayOnOrAfter } from '../calendar/fed-calendar.js'
import { applyIncoming, gatewayDecisions } from './apply.js'
import { iatInfoOf, iatRecordOf } from './iat-info.js'

export interface IngestOutcome { file: Omit<FileRow, 'content'>; alreadyApplied: boolean; entries: IncomingRow[]; summary: NachaSummary }

/** The text's SHA-256: what makes a file the same file. */
export const fileHash = (text: string): string => createHash('sha256').update(text).digest('hex')

/** 'YYMMDD' → 'YYYY-MM-DD' (this century), or undefined when it is not a date. */
export function dateOfYymmdd(s: string): string | undefined {
  if (!/^\d{6}$/.test(s)) return undefined
  const d = `20${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}`
  return Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d ? undefined : d
}

/** Throws the 422 of a file with errors: every error, with its record, line, field and value. */
export function checkedFile(text: string): { summary: NachaSummary; batches: Batch[] } {
  const verdict = validateNacha(text)
  if (!verdict.ok) throw new ApiError('NACHA_FILE_INVALID', `the NACHA file has ${verdict.errors.length} error(s); nothing was applied`, { errors: verdict.errors, summary: verdict.summary })
  const parsed = parseNacha(text)
  if (!parsed.file) throw new ApiError('NACHA_FILE_INVALID', 'the NACHA file could not be read', { errors: parsed.errors })
  return { summary: verdict.summary, batches: parsed.file.batches }
}

const text = (o: object, k: string): string => (k in o && typeof (o as Record<string, unknown>)[k] === 'string' ? ((o as Record<string, unknown>)[k] as string).trim() : '')

/** The incoming entries of a file's batches, as received (status INIT), at the workspace's time `now`. */
export function entriesOf(workspaceId: string, fileId: string, batches: Batch[], now: Date): IncomingRow[] {
  const today = easternOf(now).date
  const rows: IncomingRow[] = []
  for (const batch of batches) {
    const h = batch.header
    const effective = dateOfYymmdd(text(h, 'effectiveEntryDate')) ?? today
    const future = effective > today
    for (const entry of batch.entries) rows.push(entryRow(workspaceId, fileId, h, entry, effective, future, now))
  }
  return rows
}

function entryRow(workspaceId: string, fileId: string, h: Batch['header'], entry: Entry, effective: string, future: boolean, now: Date): IncomingRow {
  const d = entry.detail
  const return99 = entry.addenda.find((a): a is Addenda99 => a.typeCode === '99')
  const noc98 = entry.addenda.find((a): a is Addenda98 => a.typeCode === '98')
  const originatingRouting = text(h, 'originatingDfi')
  const iat = iatInfoOf(entry)
  const row: IncomingRow = {
    workspace_id: workspaceId, id: uuidv7(), file_id: fileId, status: 'INIT', account_id: null,
    account_no: text(d, 'accountNumber'), amount: BigInt(d.amount), dc_sign: isCreditCode(d.transactionCode) ? 'credit' : 'debit',
    transaction_code: String(d.transactionCode).padStart(2, '0'), sec_code: text(h, 'secCode'),
    // An IAT batch names no company: its originator (addenda 11) and originator identification stand for it.
    company_name: text(h, 'companyName') || (iat?.originator_name ?? ''), company_entry_description: text(h, 'companyEntryDescription'),
    company_id: text(h, 'companyIdentification') || text(h, 'originatorIdentification'),
    identification_number: text(d, 'identificationNumber'), individual_name: text(d, 'name') || text(d, 'individualName') || (iat?.name ?? ''),
    originating_routing_number: originatingRouting.length === 8 ? originatingRouting + routingCheckDigitOf(originatingRouting) : originatingRouting,
    trace_no: text(d, 'traceNumber'), effective_date: effective, settlement_date: businessDayOnOrAfter(effective),
    is_future_dated: future, is_prenote: isPrenoteCode(d.transactionCode),
    apply_at: future ? incomingProcessingAt(effective) : now, external_id: null, decline_reason: null,
    // Addenda 05, or for IAT its remittance addenda 17.
    reference_info: entry.addenda.filter((a): a is Addenda05 | Addenda17 => a.typeCode === '05' || a.typeCode === '17').map((a) => a.paymentRelatedInformation.trim()),
    return_data: null, notification_of_change: null, iat_info: iat ?? null, iat_record: iatRecordOf(h, entry) ?? null, outgoing_ach_id: null, created_at: now, updated_at: now,
  }
  if (return99) row.return_data = returnDataOf(return99)
  if (noc98) row.notification_of_change = { change_code: noc98.changeCode, corrected_data: noc98.correctedData.trim(), original_dfi_no: routingOfDfi(noc98.originalReceivingDfi), original_trace: noc98.originalTraceNumber }
  // A return or a NOC is about an entry already settled: it applies when received.
  if (return99 || noc98) { row.is_future_dated = false; row.apply_at = now }
  return row
}

const routingCheckDigitOf = (first8: string): string => String(routingCheckDigit(first8) ?? '')

/**
 * An addenda's original DFI (the routing number's first 8 digits, as NACHA writes it) shown as the
 * 9-digit routing number the views carry everywhere else (the spec's examples, and the returns Keel
 * sends): the check digit is a function of the first 8.
 */
const routingOfDfi = (dfi: string): string => (/^\d{8}$/.test(dfi) ? dfi + routingCheckDigitOf(dfi) : dfi)

function returnDataOf(a: Addenda99): NonNullable<IncomingRow['return_data']> {
  if (a.kind === 'return') return { code: a.returnReasonCode, original_dfi_no: routingOfDfi(a.originalReceivingDfi), original_trace: a.originalTraceNumber }
  if (a.kind === 'dishonored') {
    return {
      code: a.dishonoredReturnReasonCode, original_dfi_no: routingOfDfi(a.originalReceivingDfi), original_trace: a.originalTraceNumber,
      return_code: a.returnReasonCode, return_trace: a.returnTraceNumber, return_settlement_date: a.returnSettlementDate,
      // An R69 names the fields in error (01 account number, 02 trace, 03 amount…) in its addenda information.
      ...(a.dishonoredReturnReasonCode === 'R69' ? { field_errors: a.addendaInformation.trim() } : {}),
    }
  }
  return {
    code: a.contestedReturnReasonCode, original_dfi_no: routingOfDfi(a.originalReceivingDfi), original_trace: a.originalTraceNumber,
    return_code: a.returnReasonCode, return_trace: a.returnTraceNumber, return_settlement_date: a.returnSettlementDate,
    dishonored_return_code: a.dishonoredReturnReasonCode, dishonored_return_trace: a.dishonoredReturnTraceNumber,
    dishonored_return_settlement_date: a.dishonoredReturnSettlementDate,
  }
}

/** Validates, records and applies a NACHA file received by the workspace. Applying the same file twice changes nothing. */
export async function ingestNacha(services: Services, workspaceId: string, content: string): Promise<IngestOutcome> {
  const { summary, batches } = checkedFile(content)
  const sha256 = fileHash(content)
  const seen = await incomingFileByHash(services.sql, workspaceId, sha256)
  if (seen) return { file: seen, alreadyApplied: true, entries: [], summary }
  const now = services.clock.now(workspaceId)
  const fileId = uuidv7()
  const entries = entriesOf(workspaceId, fileId, batches, now)
  // A future-dated entry names the account its number finds from the start (applying it finds it
  // again), so that a list of an account's incoming entries shows what is on its way.
  const waiting = entries.filter((e) => e.is_future_dated && !e.return_data && !e.notification_of_change)
  const found = await ledgerAccountsByNumbers(services.sql, workspaceId, [...new Set(waiting.map((e) => e.account_no))])
  const byNumber = new Map(found.filter((a) => a.kind === 'ACCOUNT').map((a) => [a.account_number, a.id]))
  for (const e of waiting) e.account_id = byNumber.get(e.account_no) ?? null
  const due = entries.filter((e) => !e.is_future_dated)
  const decisions = await gatewayDecisions(services, workspaceId, due)
  return services.sql.begin(async (tx) => {
    await lockIncomingFiles(tx, workspaceId)
    const again = await incomingFileByHash(tx, workspaceId, sha256)
    if (again) return { file: again, alreadyApplied: true, entries: [], summary }
    const file: FileRow = {
      workspace_id: workspaceId, id: fileId, direction: 'INCOMING', status: entries.some((e) => e.is_future_dated) ? 'SCHEDULED' : 'APPLIED',
      window_name: null, sha256, content, entry_count: entries.length,
      debit_total: BigInt(summary.totalDebit), credit_total: BigInt(summary.totalCredit), created_at: now,
    }
    await insertFile(tx, file)
    await insertIncoming(tx, entries)
    const events: EventInput[] = entries.filter((e) => e.is_future_dated).map((e) => ({ at: now, workspaceId, type: 'ACH.INCOMING.FUTURE_DATED', resourceId: e.id, resource: toIncomingAch(e) }))
    await Promise.all(recordEvents(tx, events))
    const applied = await applyIncoming(tx, services, workspaceId, due, decisions)
    const byId = new Map(applied.map((e) => [e.id, e]))
    return { file, alreadyApplied: false, entries: entries.map((e) => byId.get(e.id) ?? e), summary }
  }) as Promise<IngestOutcome>
}
