// SQL for ACH: outgoing and incoming entries, files and gateways. Nothing here moves money; entries
// name the ledger records that did.

import type { Queryable } from '../platform/db.js'
import type { Page } from '../platform/pagination.js'
import type { IatInfo, IatRecord } from './files/iat-info.js'

export type OutgoingStatus = 'INIT' | 'PENDING' | 'COMPLETE' | 'CANCELED' | 'DECLINED'
export type IncomingStatus = 'ERROR' | 'IGNORED' | 'INIT' | 'IN_SUSPENSE' | 'POSTED' | 'RETURNED'
export type DcSign = 'credit' | 'debit'

export interface ReturnData {
  code: string
  original_dfi_no: string
  original_trace: string
  dishonored_return_code?: string
  dishonored_return_settlement_date?: string
  dishonored_return_trace?: string
  field_errors?: string
  return_code?: string
  return_settlement_date?: string
  return_trace?: string
}

export interface NocData { change_code: string; corrected_data: string; original_dfi_no: string; original_trace: string }

export interface OutgoingRow {
  workspace_id: string
  id: string
  /**
   * ORIGINATION: POST /v0/ach. RETURN: Keel returning an incoming entry. DISHONOR: Keel's dishonored
   * return of a return it received. CONTEST: Keel's contested dishonored return of a dishonor of its return.
   */
  kind: 'ORIGINATION' | 'RETURN' | 'DISHONOR' | 'CONTEST'
  status: OutgoingStatus
  customer_id: string | null
  source_account_id: string | null
  source_account_no: string
  source_account_name: string | null
  external_account_id: string | null
  account_no: string
  routing_no: string
  account_name: string | null
  /** CHECKING or SAVINGS: picks the NACHA transaction code. */
  account_type: string
  dc_sign: DcSign
  amount: bigint
  currency: string
  sec_code: string
  is_same_day: boolean
  effective_date: string
  trace_no: string
  company_name: string
  /** The batch's company identification: the workspace's, or for a return the original batch's. */
  company_id: string
  company_entry_description: string
  memo: string
  reference_info: string | null
  external_data: Record<string, unknown> | null
  final_customer_id: string | null
  /** A debit's hold on its incoming funds: amount held after settlement, and until when. */
  hold: { amount: number; availability_time: string } | null
  window_name: string
  cut_at: Date
  settle_at: Date
  file_id: string | null
  ledger_hold_id: string | null
  settlement_transfer_id: string | null
  availability_hold_id: string | null
  /** RETURN, DISHONOR, CONTEST entries: the code Keel sends (R03, R68, R73…), and the original entry's trace. */
  return_code: string | null
  original_trace: string | null
  incoming_ach_id: string | null
  return_data: ReturnData | null
  /** The return of an IAT entry: the IAT records it carries back (files/iat-info.ts). */
  iat_record: IatRecord | null
  /** What Keel sends back about an entry it received: that entry's identification number. Null: the row's own id. */
  identification_number: string | null
  idempotency_key: string | null
  created_at: Date
  updated_at: Date
}

export interface IncomingRow {
  workspace_id: string
  id: string
  file_id: string
  status: IncomingStatus
  account_id: string | null
  account_no: string
  amount: bigint
  dc_sign: DcSign
  transaction_code: string
  sec_code: string
  company_name: string
  company_entry_description: string
  company_id: string
  identification_number: string
  individual_name: string
  originating_routing_number: string
  trace_no: string
  effective_date: string
  settlement_date: string
  is_future_dated: boolean
  is_prenote: boolean
  apply_at: Date | null
  external_id: string | null
  decline_reason: string | null
  reference_info: string[]
  return_data: ReturnData | null
  notification_of_change: NocData | null
  /** An IAT entry's addenda 10-16, as the API shows them. */
  iat_info: IatInfo | null
  /** An IAT entry's batch header and addenda 10-16 as read, for its return. */
  iat_record: IatRecord | null
  outgoing_ach_id: string | null
  created_at: Date
  updated_at: Date
}

export interface FileRow {
  workspace_id: string
  id: string
  direction: 'OUTGOING' | 'INCOMING'
  status: 'CUT' | 'SETTLED' | 'APPLIED' | 'SCHEDULED'
  window_name: string | null
  sha256: string
  content: string
  entry_count: number
  debit_total: bigint
  credit_total: bigint
  created_at: Date
}

export interface GatewayRow {
  workspace_id: string
  id: string
  url: string
  custom_headers_encrypted: string | null
  disabled: boolean
  max_wait_ms: number
  created_at: Date
  updated_at: Date
}

const json = (db: Queryable, v: unknown) => (v === null || v === undefined ? null : db.json(v as never))

// ---- outgoing

export async function nextTraceSequence(db: Queryable): Promise<number> {
  const [row] = await db<{ n: bigint }[]>`select nextval('ach_trace_seq') as n`
  return Number(row.n)
}

export async function insertOutgoing(db: Queryable, r: OutgoingRow): Promise<void> {
  await db`insert into ach_outgoing ${db({
    ...r, amount: r.amount.toString(), external_data: json(db, r.external_data), hold: json(db, r.hold), return_data: json(db, r.return_data),
    iat_record: json(db, r.iat_record),
  } as never)}`
}

/** Writes an entry's changes: only through saveOutgoing (ledger.ts), which ends a debit's promise with it. */
export async function updateOutgoing(db: Queryable, r: OutgoingRow): Promise<void> {
  await db`update ach_outgoing set status = ${r.status}, file_id = ${r.file_id}, ledger_hold_id = ${r.ledger_hold_id},
             settlement_transfer_id = ${r.settlement_transfer_id}, availability_hold_id = ${r.availability_hold_id},
             hold = ${json(db, r.hold)}, return_data = ${json(db, r.return_data)}, updated_at = ${r.updated_at}
           where workspace_id = ${r.workspace_id} and id = ${r.id}`
}

export async function getOutgoing(db: Queryable, workspaceId: string, id: string, lock = false): Promise<OutgoingRow | undefined> {
  const [row] = await db<OutgoingRow[]>`select * from ach_outgoing where workspace_id = ${workspaceId} and id = ${id} ${lock ? db`for update` : db``}`
  return row
}

export async function outgoingByTrace(db: Queryable, workspaceId: string, traceNo: string, lock = false): Promise<OutgoingRow | undefined> {
  const [row] = await db<OutgoingRow[]>`select * from ach_outgoing where workspace_id = ${workspaceId} and trace_no = ${traceNo} ${lock ? db`for update` : db``}`
  return row
}

export interface OutgoingFilter { effective_date?: string; start_effective_date?: string; end_effective_date?: string; incoming_ach_id?: string }

export async function listOutgoing(db: Queryable, workspaceId: string, f: OutgoingFilter, page: Page): Promise<OutgoingRow[]> {
  return db<OutgoingRow[]>`
    select * from ach_outgoing where workspace_id = ${workspaceId}
      ${f.effective_date ? db`and effective_date = ${f.effective_date}` : db``}
      ${f.start_effective_date ? db`and effective_date >= ${f.start_effective_date}` : db``}
      ${f.end_effective_date ? db`and effective_date <= ${f.end_effective_date}` : db``}
      ${f.incoming_ach_id ? db`and incoming_ach_id = ${f.incoming_ach_id}` : db``}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

/** Entries waiting for a window cut at or before `until`, locked, in trace order. */
export async function outgoingToCut(db: Queryable, workspaceId: string, until: Date): Promise<OutgoingRow[]> {
  return db<OutgoingRow[]>`select * from ach_outgoing where workspace_id = ${workspaceId} and status = 'INIT' and cut_at <= ${until}
                           order by cut_at, trace_no for update`
}

/** Entries sent and due to settle at or before `until`, locked. */
export async function outgoingToSettle(db: Queryable, workspaceId: string, until: Date): Promise<OutgoingRow[]> {
  return db<OutgoingRow[]>`select * from ach_outgoing where workspace_id = ${workspaceId} and status = 'PENDING' and settle_at <= ${until}
                           order by settle_at, trace_no for update`
}

export async function outgoingOfFile(db: Queryable, workspaceId: string, fileId: string): Promise<OutgoingRow[]> {
  return db<OutgoingRow[]>`select * from ach_outgoing where workspace_id = ${workspaceId} and file_id = ${fileId} order by trace_no`
}

// ---- incoming

export async function insertIncoming(db: Queryable, rows: IncomingRow[]): Promise<void> {
  if (rows.length === 0) return
  await db`insert into ach_incoming ${db(rows.map((r) => ({
    ...r, amount: r.amount.toString(), reference_info: db.json(r.reference_info), return_data: json(db, r.return_data), notification_of_change: json(db, r.notification_of_change),
    iat_info: json(db, r.iat_info), iat_record: json(db, r.iat_record),
  })) as never)}`
}

export async function updateIncoming(db: Queryable, r: IncomingRow): Promise<void> {
  await db`update ach_incoming set status = ${r.status}, account_id = ${r.account_id}, external_id = ${r.external_id}, decline_reason = ${r.decline_reason},
             outgoing_ach_id = ${r.outgoing_ach_id}, updated_at = ${r.updated_at}
           where workspace_id = ${r.workspace_id} and id = ${r.id}`
}

/** The latest return Keel sent of an incoming entry, if any. */
export async function latestReturnOfIncoming(db: Queryable, workspaceId: string, incomingId: string): Promise<OutgoingRow | undefined> {
  const [row] = await db<OutgoingRow[]>`select * from ach_outgoing where workspace_id = ${workspaceId} and incoming_ach_id = ${incomingId} and kind = 'RETURN' order by id desc limit 1`
  return row
}

/** Whether Keel returned a credit to `accountNo` of `amount` from that company and bank (R62: the erroneous credit a debit reversed). */
export async function returnedCreditLike(db: Queryable, workspaceId: string, c: { accountNo: string; amount: bigint; companyId: string; routingNo: string }): Promise<boolean> {
  const [row] = await db<{ n: number }[]>`
    select count(*)::int as n from ach_outgoing where workspace_id = ${workspaceId} and kind = 'RETURN' and dc_sign = 'credit'
      and account_no = ${c.accountNo} and amount = ${c.amount.toString()} and company_id = ${c.companyId} and routing_no = ${c.routingNo}`
  return row.n > 0
}

/** How many returns Keel sent of the incoming entry with trace `traceNo`. */
export async function returnsOfIncomingTrace(db: Queryable, workspaceId: string, traceNo: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from ach_outgoing where workspace_id = ${workspaceId} and kind = 'RETURN' and original_trace = ${traceNo}`
  return row.n
}

export async function getIncoming(db: Queryable, workspaceId: string, id: string, lock = false): Promise<IncomingRow | undefined> {
  const [row] = await db<IncomingRow[]>`select * from ach_incoming where workspace_id = ${workspaceId} and id = ${id} ${lock ? db`for update` : db``}`
  return row
}

export interface IncomingFilter { status?: string; settlement_date_from?: string; settlement_date_to?: string; account_id?: string }

export async function listIncoming(db: Queryable, workspaceId: string, f: IncomingFilter, page: Page): Promise<IncomingRow[]> {
  return db<IncomingRow[]>`
    select * from ach_incoming where workspace_id = ${workspaceId}
      ${f.status ? db`and status = ${f.status}` : db``}
      ${f.settlement_date_from ? db`and settlement_date >= ${f.settlement_date_from}` : db``}
      ${f.settlement_date_to ? db`and settlement_date <= ${f.settlement_date_to}` : db``}
      ${f.account_id ? db`and account_id = ${f.account_id}` : db``}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

/** Entries whose processing time has come (future-dated ones, requeued ones), locked when asked. */
export async function incomingDue(db: Queryable, workspaceId: string, until: Date, lock: boolean): Promise<IncomingRow[]> {
  return db<IncomingRow[]>`select * from ach_incoming where workspace_id = ${workspaceId} and status = 'INIT' and apply_at <= ${until}
                           order by apply_at, id ${lock ? db`for update` : db``}`
}

export async function incomingOfFile(db: Queryable, workspaceId: string, fileId: string): Promise<IncomingRow[]> {
  return db<IncomingRow[]>`select * from ach_incoming where workspace_id = ${workspaceId} and file_id = ${fileId} order by id`
}

// ---- files

export async function insertFile(db: Queryable, r: FileRow): Promise<void> {
  await db`insert into ach_files ${db({ ...r, debit_total: r.debit_total.toString(), credit_total: r.credit_total.toString() } as never)}`
}

export async function setFileStatus(db: Queryable, workspaceId: string, id: string, status: FileRow['status']): Promise<void> {
  await db`update ach_files set status = ${status} where workspace_id = ${workspaceId} and id = ${id}`
}

export async function getFile(db: Queryable, workspaceId: string, id: string): Promise<FileRow | undefined> {
  const [row] = await db<FileRow[]>`select * from ach_files where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function incomingFileByHash(db: Queryable, workspaceId: string, sha256: string): Promise<FileRow | undefined> {
  const [row] = await db<FileRow[]>`select * from ach_files where workspace_id = ${workspaceId} and direction = 'INCOMING' and sha256 = ${sha256}`
  return row
}

/** Serializes ingestion of one workspace's files, so two copies of a file cannot both apply. */
export async function lockIncomingFiles(db: Queryable, workspaceId: string): Promise<void> {
  await db`select pg_advisory_xact_lock(hashtextextended(${'ach-ingest:' + workspaceId}, 0))`
}

export async function listFiles(db: Queryable, workspaceId: string, direction: string | undefined, page: Page): Promise<Omit<FileRow, 'content'>[]> {
  return db<Omit<FileRow, 'content'>[]>`
    select workspace_id, id, direction, status, window_name, sha256, entry_count, debit_total, credit_total, created_at
    from ach_files where workspace_id = ${workspaceId}
      ${direction ? db`and direction = ${direction}` : db``}
      ${page.afterId ? db`and id > ${page.afterId}` : db``}
    order by id limit ${page.limit + 1}`
}

/** The outgoing files of the entries given whose every entry has left PENDING. */
export async function settledFiles(db: Queryable, workspaceId: string, fileIds: string[]): Promise<string[]> {
  if (fileIds.length === 0) return []
  const rows = await db<{ file_id: string }[]>`
    select f.id as file_id from ach_files f where f.workspace_id = ${workspaceId} and f.id = any(${fileIds}::uuid[])
      and not exists (select 1 from ach_outgoing o where o.workspace_id = f.workspace_id and o.file_id = f.id and o.status = 'PENDING')`
  return rows.map((r) => r.file_id)
}

// ---- due work

/** The earliest time anything of ACH falls due in the workspace, if at or before `until`. */
export async function nextAchDue(db: Queryable, workspaceId: string, until: Date): Promise<Date | undefined> {
  const [row] = await db<{ at: Date | null }[]>`
    select least(
      (select min(cut_at) from ach_outgoing where workspace_id = ${workspaceId} and status = 'INIT'),
      (select min(settle_at) from ach_outgoing where workspace_id = ${workspaceId} and status = 'PENDING'),
      (select min(apply_at) from ach_incoming where workspace_id = ${workspaceId} and status = 'INIT'),
      (select min(next_collection_at) from ach_shortfalls where workspace_id = ${workspaceId} and remaining > 0)) as at`
  return row.at && row.at.getTime() <= until.getTime() ? row.at : undefined
}

/** Workspaces with ACH work due by real time `now` (a sandbox's clock is never behind real time). */
export async function workspacesWithAchDue(db: Queryable, now: Date): Promise<string[]> {
  // Each workspace at its own time: real time plus its clock's offset (a sandbox moved forward).
  const rows = await db<{ workspace_id: string }[]>`
    with due as (
      select workspace_id, cut_at as at from ach_outgoing where status = 'INIT'
      union all select workspace_id, settle_at from ach_outgoing where status = 'PENDING'
      union all select workspace_id, apply_at from ach_incoming where status = 'INIT'
      union all select workspace_id, next_collection_at from ach_shortfalls where remaining > 0
    )
    select distinct d.workspace_id from due d join workspace_times(${now}) t on t.workspace_id = d.workspace_id where d.at <= t.now
    order by d.workspace_id`
  return rows.map((r) => r.workspace_id)
}

// ---- gateways

export async function insertGateway(db: Queryable, r: GatewayRow): Promise<void> {
  await db`insert into ach_gateways ${db(r as never)}`
}

export async function updateGateway(db: Queryable, r: GatewayRow): Promise<void> {
  await db`update ach_gateways set url = ${r.url}, custom_headers_encrypted = ${r.custom_headers_encrypted}, disabled = ${r.disabled},
             max_wait_ms = ${r.max_wait_ms}, updated_at = ${r.updated_at}
           where workspace_id = ${r.workspace_id} and id = ${r.id}`
}

export async function deleteGateway(db: Queryable, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db`delete from ach_gateways where workspace_id = ${workspaceId} and id = ${id} returning id`
  return rows.length === 1
}

export async function getGateway(db: Queryable, workspaceId: string, id: string, lock = false): Promise<GatewayRow | undefined> {
  const [row] = await db<GatewayRow[]>`select * from ach_gateways where workspace_id = ${workspaceId} and id = ${id} ${lock ? db`for update` : db``}`
  return row
}

export async function listGateways(db: Queryable, workspaceId: string): Promise<GatewayRow[]> {
  return db<GatewayRow[]>`select * from ach_gateways where workspace_id = ${workspaceId} order by id`
}

/** The gateway incoming debits are offered to: the oldest one not disabled. */
export async function activeGateway(db: Queryable, workspaceId: string): Promise<GatewayRow | undefined> {
  const [row] = await db<GatewayRow[]>`select * from ach_gateways where workspace_id = ${workspaceId} and not disabled order by id limit 1`
  return row
}

// ---- settings

export interface SettingsRow {
  workspace_id: string
  immediate_origin: string
  immediate_origin_name: string
  immediate_destination: string
  immediate_destination_name: string
  company_id: string
  company_name: string
  gateway_timeout_decision: string
  updated_at: Date
}

export async function getSettings(db: Queryable, workspaceId: string): Promise<SettingsRow | undefined> {
  const [row] = await db<SettingsRow[]>`select * from ach_settings where workspace_id = ${workspaceId}`
  return row
}

export async function saveSettings(db: Queryable, r: SettingsRow): Promise<void> {
  await db`insert into ach_settings ${db(r as never)}
           on conflict (workspace_id) do update set immediate_origin = excluded.immediate_origin, immediate_origin_name = excluded.immediate_origin_name,
             immediate_destination = excluded.immediate_destination, immediate_destination_name = excluded.immediate_destination_name,
             company_id = excluded.company_id, company_name = excluded.company_name, gateway_timeout_decision = excluded.gateway_timeout_decision,
             updated_at = excluded.updated_at`
}
