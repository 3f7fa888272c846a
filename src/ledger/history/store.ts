// Reads of the ledger's history, behind the transaction views and statements: posted records with their entries,
// holds, transfers by id, and an account's activity over a period. Writes go through src/ledger/store.ts only.

import { isoString } from '../../platform/clock.js'
import type { Queryable } from '../../platform/db.js'
import type { Page } from '../../platform/pagination.js'
import type { EntryRow, HoldRow, TransferRow } from '../store.js'

export type EntryWithNumber = EntryRow & { account_number: string; account_kind: string }
export type HoldWithNumbers = HoldRow & { account_number: string; offset_account_id: string; offset_account_number: string }

/**
 * The spec's date bounds of the transaction lists: a posting date "greater than from_date" (from
 * the day after it) and "less than or equal to to_date" (through its end), by UTC day.
 */
const dayAfter = (d: string) => new Date(Date.parse(d + 'T00:00:00Z') + 86_400_000)

export interface PostedFilter {
  account_id?: string[]; dc_sign?: 'credit' | 'debit'; type?: string; subtype?: string; from_date?: string; to_date?: string
  uuid?: string[]; idempotency_key?: string[]; reference_id?: string; account_no?: string
  /** A card rail's records name their card in details.card_id. */
  card_id?: string
}

/** POSTED transfers, newest first. */
export async function listPostedTransfers(db: Queryable, workspaceId: string, f: PostedFilter, page: Page): Promise<TransferRow[]> {
  const sign = f.dc_sign === 'debit' ? db`and e.amount < 0` : f.dc_sign === 'credit' ? db`and e.amount > 0` : db``
  const byAccount = f.account_id?.length || f.account_no || f.dc_sign
  // dc_sign is a line's sign: the named accounts' lines, or else the primary line's (line 0, the
  // view's is_primary), since every record has a line of each sign.
  const primary = f.dc_sign && !f.account_id?.length && !f.account_no ? db`and e.line = 0` : db``
  return db<TransferRow[]>`
    select t.* from ledger_transfers t
    where t.workspace_id = ${workspaceId} and t.status = 'POSTED'
      ${byAccount ? db`and exists (select 1 from ledger_entries e join ledger_accounts l on l.workspace_id = e.workspace_id and l.id = e.account_id
          where e.workspace_id = t.workspace_id and e.transfer_id = t.id
          ${f.account_id?.length ? db`and e.account_id = any(${f.account_id}::uuid[])` : db``}
          ${f.account_no ? db`and l.account_number = ${f.account_no}` : db``} ${primary} ${sign})` : db``}
      ${f.type ? db`and t.type = ${f.type}` : db``}
      ${f.subtype ? db`and t.kind = ${f.subtype}` : db``}
      ${f.from_date ? db`and t.posted_at >= ${dayAfter(f.from_date)}` : db``}
      ${f.to_date ? db`and t.posted_at < ${dayAfter(f.to_date)}` : db``}
      ${f.uuid?.length ? db`and t.id = any(${f.uuid}::uuid[])` : db``}
      ${f.idempotency_key?.length ? db`and t.idempotency_key = any(${f.idempotency_key}::text[])` : db``}
      ${f.reference_id ? db`and t.reference_id = ${f.reference_id}` : db``}
      ${f.card_id ? db`and t.details->>'card_id' = ${f.card_id}` : db``}
      ${page.afterId ? db`and t.id < ${page.afterId}` : db``}
    order by t.id desc limit ${page.limit + 1}`
}

export async function getPostedTransfer(db: Queryable, workspaceId: string, id: string): Promise<TransferRow | undefined> {
  const [row] = await db<TransferRow[]>`select * from ledger_transfers where workspace_id = ${workspaceId} and id = ${id} and status = 'POSTED'`
  return row
}

export async function entriesOf(db: Queryable, workspaceId: string, transferIds: string[]): Promise<EntryWithNumber[]> {
  if (transferIds.length === 0) return []
  return db<EntryWithNumber[]>`
    select e.*, l.account_number, l.kind as account_kind from ledger_entries e
    join ledger_accounts l on l.workspace_id = e.workspace_id and l.id = e.account_id
    where e.workspace_id = ${workspaceId} and e.transfer_id = any(${transferIds}::uuid[])
    order by e.transfer_id, e.line`
}

export interface PendingFilter {
  account_id?: string[]; status?: string[]; type?: string; subtype?: string; from_date?: string; to_date?: string; transaction_id?: string
  uuid?: string[]; idempotency_key?: string[]; reference_id?: string; account_no?: string
  /** A card rail's holds name their card in details.card_id. */
  card_id?: string
}

const holdColumns = (db: Queryable) => db`
  h.*, l.account_number, h.credit_account_id as offset_account_id, o.account_number as offset_account_number
  from ledger_holds h
  join ledger_transfers t on t.workspace_id = h.workspace_id and t.id = h.id
  join ledger_accounts l on l.workspace_id = h.workspace_id and l.id = h.account_id
  join ledger_accounts o on o.workspace_id = h.workspace_id and o.id = h.credit_account_id`

/** Holds (the pending transactions), newest first. */
/** `now`: a PENDING hold past its expiry then is EXPIRED to the status filter, as the views show it. */
export async function listHolds(db: Queryable, workspaceId: string, f: PendingFilter, page: Page, now: Date): Promise<HoldWithNumbers[]> {
  return db<HoldWithNumbers[]>`
    select ${holdColumns(db)}
    where h.workspace_id = ${workspaceId}
      ${f.account_id?.length ? db`and h.account_id = any(${f.account_id}::uuid[])` : db``}
      ${f.account_no ? db`and l.account_number = ${f.account_no}` : db``}
      ${f.status?.length ? db`and (case when h.status = 'PENDING' and h.expires_at <= ${now} then 'EXPIRED' else h.status end) = any(${f.status}::text[])` : db``}
      ${f.type ? db`and t.type = ${f.type}` : db``}
      ${f.subtype ? db`and t.kind = ${f.subtype}` : db``}
      ${f.from_date ? db`and h.created_at >= ${dayAfter(f.from_date)}` : db``}
      ${f.to_date ? db`and h.created_at < ${dayAfter(f.to_date)}` : db``}
      ${f.transaction_id ? db`and h.id = ${f.transaction_id}` : db``}
      ${f.uuid?.length ? db`and h.id = any(${f.uuid}::uuid[])` : db``}
      ${f.idempotency_key?.length ? db`and t.idempotency_key = any(${f.idempotency_key}::text[])` : db``}
      ${f.reference_id ? db`and t.reference_id = ${f.reference_id}` : db``}
      ${f.card_id ? db`and t.details->>'card_id' = ${f.card_id}` : db``}
      ${page.afterId ? db`and h.id < ${page.afterId}` : db``}
    order by h.id desc limit ${page.limit + 1}`
}

export async function getHold(db: Queryable, workspaceId: string, id: string): Promise<HoldWithNumbers | undefined> {
  const [row] = await db<HoldWithNumbers[]>`select ${holdColumns(db)} where h.workspace_id = ${workspaceId} and h.id = ${id}`
  return row
}

export async function holdsByIds(db: Queryable, workspaceId: string, ids: string[]): Promise<HoldWithNumbers[]> {
  if (ids.length === 0) return []
  return db<HoldWithNumbers[]>`select ${holdColumns(db)} where h.workspace_id = ${workspaceId} and h.id = any(${ids}::uuid[])`
}

export async function transfersByIds(db: Queryable, workspaceId: string, ids: string[]): Promise<Map<string, TransferRow>> {
  if (ids.length === 0) return new Map()
  const rows = await db<TransferRow[]>`select * from ledger_transfers where workspace_id = ${workspaceId} and id = any(${ids}::uuid[])`
  return new Map(rows.map((r) => [r.id, r]))
}

export async function getTransfer(db: Queryable, workspaceId: string, id: string): Promise<TransferRow | undefined> {
  const [row] = await db<TransferRow[]>`select * from ledger_transfers where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

/** The records that name a pending transfer (captures, adjustments, its void or expiry), oldest first. */
export async function recordsOfPending(db: Queryable, workspaceId: string, pendingIds: string[]): Promise<TransferRow[]> {
  if (pendingIds.length === 0) return []
  return db<TransferRow[]>`
    select * from ledger_transfers where workspace_id = ${workspaceId} and pending_id = any(${pendingIds}::uuid[]) order by seq`
}

export interface Activity { credits: bigint; debits: bigint; interest: bigint; fees: bigint; lowest: bigint | null }

/** An account's entries in (start, end] (a statement's period): credits, debits, those of records of the two kinds named, and the lowest balance after any of them. */
export async function periodActivity(db: Queryable, workspaceId: string, accountId: string, start: Date, end: Date, kinds: { interest: string; fee: string }): Promise<Activity> {
  const [row] = await db<Activity[]>`
    select coalesce(sum(e.amount) filter (where e.amount > 0), 0)::int8 as credits,
           coalesce(-sum(e.amount) filter (where e.amount < 0), 0)::int8 as debits,
           coalesce(sum(e.amount) filter (where t.kind = ${kinds.interest}), 0)::int8 as interest,
           coalesce(-sum(e.amount) filter (where t.kind = ${kinds.fee}), 0)::int8 as fees,
           min(e.posted_after)::int8 as lowest
    from ledger_entries e join ledger_transfers t on t.workspace_id = e.workspace_id and t.id = e.transfer_id
    where e.workspace_id = ${workspaceId} and e.account_id = ${accountId}
      and e.created_at > ${isoString(start)}::timestamptz and e.created_at <= ${isoString(end)}::timestamptz`
  return row
}

/** The posted records with an entry on the account in (start, end], by id, a page at a time. */
export async function periodTransfers(db: Queryable, workspaceId: string, accountId: string, start: Date, end: Date, page: Page): Promise<TransferRow[]> {
  return db<TransferRow[]>`
    select t.* from ledger_transfers t
    where t.workspace_id = ${workspaceId} and t.status = 'POSTED'
      and exists (select 1 from ledger_entries e where e.workspace_id = t.workspace_id and e.transfer_id = t.id and e.account_id = ${accountId}
        and e.created_at > ${isoString(start)}::timestamptz and e.created_at <= ${isoString(end)}::timestamptz)
      ${page.afterId ? db`and t.id > ${page.afterId}` : db``}
    order by t.id limit ${page.limit + 1}`
}
