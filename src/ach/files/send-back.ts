// The entries Keel sends back about an entry it received, in its next outgoing file (any window):
// - RETURN: an incoming entry it cannot post (R03, R02, R16, R01, a gateway's R10/R29…);
// - DISHONOR: a return of one of its own entries it will not accept (R61, R67-R70);
// - CONTEST: a dishonored return of one of its returns it disputes (R71-R77).
// Each carries, as the received one did, its amount, account, and the bank that sent it (now the
// receiver); the transaction code stays the received entry's (a return of a credit, 21, is
// dishonored and contested with 21). What it moves at settlement is settle.ts's.

import type { Tx } from '../../platform/db.js'
import type { Services } from '../../platform/http.js'
import { uuidv7 } from '../../platform/ids.js'
import { achCurrency } from '../ledger.js'
import { odfiSettings } from '../settings.js'
import { insertOutgoing, nextTraceSequence, type IncomingRow, type OutgoingRow, type ReturnData } from '../store.js'
import { easternInstant, nextOutgoingWindow } from '../windows/windows.js'

/** Julian day (001-366) of an ISO date: how NACHA writes the settlement dates in addenda 99. */
export function julianDay(isoDate: string): string {
  const d = Date.UTC(Number(isoDate.slice(0, 4)), Number(isoDate.slice(5, 7)) - 1, Number(isoDate.slice(8, 10)))
  const day = Math.round((d - Date.UTC(Number(isoDate.slice(0, 4)), 0, 1)) / 86_400_000) + 1
  return String(day).padStart(3, '0')
}

export interface SendBack {
  kind: OutgoingRow['kind']
  code: string
  reason: string
  /** The trace of the entry this is ultimately about (the original entry of a return chain). */
  originalTrace: string
  returnData: ReturnData
  sourceAccountId?: string | null
  sourceAccountNo?: string
  /** A corrected return (R74): the fields of the entry received, where Keel's return had them wrong. */
  corrected?: { accountNo: string; companyId: string; identificationNumber: string }
}

/** Records the entry Keel sends back about `row` in its next outgoing file. */
export async function sendBack(tx: Tx, services: Services, row: IncomingRow, o: SendBack): Promise<OutgoingRow> {
  const now = services.clock.now(row.workspace_id)
  const odfi = await odfiSettings(tx, row.workspace_id)
  const next = nextOutgoingWindow(now)
  const trace = odfi.odfiRouting.slice(0, 8) + String(await nextTraceSequence(tx)).padStart(7, '0')
  const out: OutgoingRow = {
    workspace_id: row.workspace_id, id: uuidv7(), kind: o.kind, status: 'INIT', customer_id: null,
    source_account_id: o.sourceAccountId ?? row.account_id, source_account_no: o.sourceAccountNo ?? row.account_no, source_account_name: null, external_account_id: null,
    account_no: o.corrected?.accountNo ?? row.account_no, routing_no: row.originating_routing_number, account_name: row.individual_name || null,
    account_type: row.transaction_code.startsWith('3') ? 'SAVINGS' : 'CHECKING', dc_sign: row.dc_sign, amount: row.amount, currency: achCurrency,
    sec_code: row.sec_code || 'PPD', is_same_day: next.window.sameDay, effective_date: next.date, trace_no: trace,
    company_name: row.company_name, company_id: o.corrected?.companyId ?? row.company_id, company_entry_description: row.company_entry_description,
    memo: o.reason.slice(0, 200), reference_info: null, external_data: null, final_customer_id: null, hold: null,
    window_name: next.window.name, cut_at: next.cutAt, settle_at: easternInstant(next.date, next.window.settles),
    file_id: null, ledger_hold_id: null, settlement_transfer_id: null, availability_hold_id: null,
    return_code: o.code, original_trace: o.originalTrace, incoming_ach_id: row.id, return_data: o.returnData,
    // What Keel sends back about an IAT entry (its return; a contest of a dishonor of that return)
    // goes in an IAT batch with the entry's addenda 10-16 (files/outgoing.ts).
    iat_record: row.iat_record,
    // NACHA: what is sent back carries the identification number of the entry it answers.
    identification_number: o.corrected?.identificationNumber ?? (row.identification_number || null),
    idempotency_key: null, created_at: now, updated_at: now,
  }
  await insertOutgoing(tx, out)
  return out
}
