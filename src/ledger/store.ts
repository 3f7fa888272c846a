// The one SQL path that moves money. It locks the accounts a batch touches (in workspace, id
// order, so two batches never wait on each other in a cycle), lets rules.ts decide every operation
// against the locked state, and writes transfers, entries, holds and balances with set-based
// statements in the caller's transaction. Nothing else writes ledger_entries, ledger_holds or the
// balance columns of ledger_accounts.

import { assert } from '../platform/assert.js'
import { isoString } from '../platform/clock.js'
import type { Queryable, Tx } from '../platform/db.js'
import { accountsOf, decide, type AccountState, type Movement, type Operation, type Rejection } from './rules.js'

export interface LedgerAccountRow {
  workspace_id: string
  id: string
  kind: 'ACCOUNT' | 'INTERNAL' | 'SYSTEM'
  account_number: string
  currency: string
  status: string
  access_status: string
  posted: bigint
  held: bigint
  floor: bigint | null
  ceiling: bigint | null
  created_at: Date
}

export interface TransferRow {
  workspace_id: string
  id: string
  seq: bigint
  kind: string
  type: string
  status: 'POSTED' | 'PENDING' | 'CANCELED' | 'EXPIRED'
  currency: string
  amount: bigint
  debit_account_id: string
  credit_account_id: string
  idempotency_key: string | null
  reference_id: string | null
  memo: string | null
  expires_at: Date | null
  details: Record<string, unknown>
  created_at: Date
  updated_at: Date
  posted_at: Date | null
}

export interface EntryRow {
  workspace_id: string
  transfer_id: string
  line: number
  account_id: string
  currency: string
  amount: bigint
  posted_after: bigint
  available_after: bigint
  created_at: Date
}

export interface HoldRow {
  workspace_id: string
  id: string
  account_id: string
  amount: bigint
  currency: string
  status: 'PENDING' | 'CLEARED' | 'RELEASED' | 'EXPIRED'
  expires_at: Date | null
  posted_after: bigint
  available_after: bigint
  created_at: Date
  updated_at: Date
}

/** A transfer to create: posted at once (IMMEDIATE) or held until captured (MANUAL). */
export interface NewTransfer {
  workspaceId: string
  id: string
  kind: string
  type: string
  captureMode: 'IMMEDIATE' | 'MANUAL'
  movement: Movement
  idempotencyKey: string | null
  referenceId: string | null
  memo: string | null
  expiresAt: Date | null
  details: Record<string, unknown>
}

export type TransferOutcome =
  | { ok: true; transfer: TransferRow; entries: EntryRow[]; hold: HoldRow | undefined }
  | { ok: false; rejection: Rejection }

const accountKey = (workspaceId: string, id: string) => `${workspaceId}/${id}`

export function toState(row: LockedAccount): AccountState {
  return { id: row.id, currency: row.currency, status: row.status, accessStatus: row.access_status, posted: row.posted, held: row.held, floor: row.floor, ceiling: row.ceiling }
}

/** What a batch reads of an account it locks: all but the creation time, which it never needs. */
export type LockedAccount = Omit<LedgerAccountRow, 'created_at'>

/** Locks the named ledger accounts FOR UPDATE in (workspace, id) order and returns them by workspace/id. */
export async function lockAccounts(tx: Queryable, keys: { workspaceId: string; id: string }[]): Promise<Map<string, LockedAccount>> {
  const unique = [...new Map(keys.map((k) => [accountKey(k.workspaceId, k.id), k])).values()]
  if (unique.length === 0) return new Map()
  const rows = await tx<LockedAccount[]>`
    select l.workspace_id, l.id, l.kind, l.account_number, l.currency, l.status, l.access_status, l.posted, l.held, l.floor, l.ceiling
    from ledger_accounts l
    join unnest(${unique.map((k) => k.workspaceId)}::uuid[], ${unique.map((k) => k.id)}::uuid[]) as k(w, i)
      on l.workspace_id = k.w and l.id = k.i
    order by l.workspace_id, l.id
    for update of l`
  return new Map(rows.map((r) => [accountKey(r.workspace_id, r.id), r]))
}

/** The ledger_transfers.seq sequence's increment (migration 0402): each value starts a block this long. */
export const seqBlockSize = 256

/**
 * Reserves `count` transfer sequence numbers (the int64 ids the transaction views show): one
 * nextval per block of seqBlockSize, numbered on from it; the rest of a block goes unused.
 */
export async function reserveSeqs(tx: Queryable, count: number): Promise<bigint[]> {
  if (count === 0) return []
  const blocks = Math.ceil(count / seqBlockSize)
  const [{ starts }] = await tx<{ starts: string }[]>`
    select array_to_string(array_agg(nextval(pg_get_serial_sequence('ledger_transfers', 'seq'))), ',') as starts from generate_series(1, ${blocks})`
  const seqs: bigint[] = []
  for (const start of starts.split(',').map(BigInt)) {
    for (let i = 0n; i < BigInt(seqBlockSize) && seqs.length < count; i++) seqs.push(start + i)
  }
  return seqs
}

/** The statements that write one decided batch; the caller runs them (pipelined) in its transaction. */
export interface Writes {
  transfers: TransferRow[]; entries: EntryRow[]; holds: HoldRow[]; balances: LockedAccount[]
  /** Holds released because they passed their expiry, with their transfers, as they are after. */
  expired: { transfer: TransferRow; hold: HoldRow }[]
}

/** A PENDING hold past its expiry, with its transfer, as found on a locked account. */
export interface DueHold { transfer: TransferRow; hold: HoldRow }

/**
 * The PENDING holds past their expiry on the given accounts, their transfers locked. A transfer
 * another transaction has locked is skipped: that one is settling it (a PATCH or the expiry worker,
 * which lock the transfer before its accounts; waiting here, with the accounts locked, could
 * deadlock). One probe of the pending-expiry index when nothing is due.
 */
export async function dueHoldsOn(tx: Queryable, keys: { workspaceId: string; id: string }[], now: Date): Promise<DueHold[]> {
  if (keys.length === 0) return []
  type Row = TransferRow & { h_account_id: string; h_amount: bigint; h_status: HoldRow['status']; h_expires_at: Date | null; h_posted_after: bigint; h_available_after: bigint; h_created_at: Date; h_updated_at: Date }
  const rows = await tx<Row[]>`
    select t.*, h.account_id as h_account_id, h.amount as h_amount, h.status as h_status, h.expires_at as h_expires_at,
      h.posted_after as h_posted_after, h.available_after as h_available_after, h.created_at as h_created_at, h.updated_at as h_updated_at
    from ledger_transfers t
    join ledger_holds h on h.workspace_id = t.workspace_id and h.id = t.id
    where t.status = 'PENDING' and t.expires_at <= ${now}
      and (t.workspace_id, t.debit_account_id) in (select * from unnest(${keys.map((k) => k.workspaceId)}::uuid[], ${keys.map((k) => k.id)}::uuid[]))
    order by t.workspace_id, t.id
    for update of t skip locked`
  return rows.map(({ h_account_id, h_amount, h_status, h_expires_at, h_posted_after, h_available_after, h_created_at, h_updated_at, ...transfer }) => ({
    transfer,
    hold: {
      workspace_id: transfer.workspace_id, id: transfer.id, account_id: h_account_id, amount: h_amount, currency: transfer.currency, status: h_status,
      expires_at: h_expires_at, posted_after: h_posted_after, available_after: h_available_after, created_at: h_created_at, updated_at: h_updated_at,
    },
  }))
}

/**
 * Decides each new transfer in order against the locked accounts; accepted ones change the working
 * balances the next one sees, rejected ones change nothing. Returns each outcome and the rows to write.
 */
export function planTransfers(locked: Map<string, LockedAccount>, transfers: NewTransfer[], seqs: bigint[], now: Date, due: DueHold[] = []): { outcomes: TransferOutcome[]; writes: Writes } {
  assert(seqs.length >= transfers.length, 'a sequence number for every transfer')
  const states = new Map<string, Map<string, AccountState>>()
  const statesOf = (workspaceId: string) => {
    let m = states.get(workspaceId)
    if (!m) {
      m = new Map()
      states.set(workspaceId, m)
    }
    return m
  }
  for (const row of locked.values()) statesOf(row.workspace_id).set(row.id, toState(row))
  const writes: Writes = { transfers: [], entries: [], holds: [], balances: [], expired: [] }
  const touched = new Set<string>()
  // Holds past their expiry give their funds back before anything is decided: no transfer of the
  // batch finds them still reserved, whether or not the expiry worker has come by.
  for (const { transfer, hold } of due) {
    const movement: Movement = { debitAccountId: transfer.debit_account_id, creditAccountId: transfer.credit_account_id, amount: transfer.amount, currency: transfer.currency }
    // Its receiving account need not be locked: a release does not touch it.
    const decided = decide(statesOf(transfer.workspace_id), { kind: 'release', movement, holdStatus: hold.status })
    assert(decided.ok && decided.hold, 'a due PENDING hold can always be released')
    touched.add(accountKey(transfer.workspace_id, movement.debitAccountId))
    writes.expired.push({
      transfer: { ...transfer, status: 'EXPIRED', updated_at: now },
      hold: { ...hold, status: 'EXPIRED', updated_at: now, posted_after: decided.hold.postedAfter, available_after: decided.hold.availableAfter },
    })
  }
  const outcomes = transfers.map((t, i): TransferOutcome => {
    const op: Operation = { kind: t.captureMode === 'MANUAL' ? 'hold' : 'post', movement: t.movement }
    const decided = decide(statesOf(t.workspaceId), op)
    if (!decided.ok) return decided
    for (const id of accountsOf(op)) touched.add(accountKey(t.workspaceId, id))
    const transfer: TransferRow = {
      workspace_id: t.workspaceId, id: t.id, seq: seqs[i], kind: t.kind, type: t.type,
      status: op.kind === 'hold' ? 'PENDING' : 'POSTED',
      currency: t.movement.currency, amount: t.movement.amount,
      debit_account_id: t.movement.debitAccountId, credit_account_id: t.movement.creditAccountId,
      idempotency_key: t.idempotencyKey, reference_id: t.referenceId, memo: t.memo, expires_at: t.expiresAt, details: t.details,
      created_at: now, updated_at: now, posted_at: op.kind === 'post' ? now : null,
    }
    const entries = decided.postings.map((p, line): EntryRow => ({
      workspace_id: t.workspaceId, transfer_id: t.id, line, account_id: p.accountId, currency: t.movement.currency,
      amount: p.amount, posted_after: p.postedAfter, available_after: p.availableAfter, created_at: now,
    }))
    const hold: HoldRow | undefined = decided.hold && {
      workspace_id: t.workspaceId, id: t.id, account_id: decided.hold.accountId, amount: decided.hold.amount, currency: t.movement.currency,
      status: 'PENDING', expires_at: t.expiresAt, posted_after: decided.hold.postedAfter, available_after: decided.hold.availableAfter,
      created_at: now, updated_at: now,
    }
    writes.transfers.push(transfer)
    writes.entries.push(...entries)
    if (hold) writes.holds.push(hold)
    return { ok: true, transfer, entries, hold }
  })
  for (const key of touched) {
    const row = locked.get(key)!
    const state = states.get(row.workspace_id)!.get(row.id)!
    writes.balances.push({ ...row, posted: state.posted, held: state.held })
  }
  return { outcomes, writes }
}

const str = (v: bigint) => v.toString()

/**
 * A batch of rows as one JSON parameter, expanded in SQL by jsonb_to_recordset: one string to send
 * and parse instead of an escaped array per column. Bigints travel as strings (read back by int8's
 * input), dates as ISO strings; callers hand rows already in that form, because a JSON.stringify
 * replacer runs for every value and cost more than the rest of the batch's statement building.
 * Cast it `::text::jsonb`: a parameter typed jsonb would be JSON-encoded again by the driver,
 * arriving as one JSON string instead of an array.
 */
export const rowsJson = (rows: readonly object[]): string => JSON.stringify(rows)

const holdJson = (r: HoldRow) => ({ ...r, amount: str(r.amount), posted_after: str(r.posted_after), available_after: str(r.available_after) })
const entryJson = (r: EntryRow) => ({ ...r, amount: str(r.amount), posted_after: str(r.posted_after), available_after: str(r.available_after) })

/** The pending statements that apply `writes`; run them together so they pipeline. */
export function writeStatements(tx: Queryable, w: Writes): Promise<unknown>[] {
  const out: Promise<unknown>[] = []
  if (w.transfers.length) out.push(insertTransfers(tx, w.transfers, w.entries))
  else if (w.entries.length) out.push(insertEntries(tx, w.entries))
  if (w.holds.length) {
    out.push(tx`
      insert into ledger_holds (workspace_id, id, account_id, amount, currency, status, expires_at, posted_after, available_after, created_at, updated_at)
      select workspace_id, id, account_id, amount, currency, status, expires_at, posted_after, available_after, created_at, updated_at
      from jsonb_to_recordset(${rowsJson(w.holds.map(holdJson))}::text::jsonb) as x(workspace_id uuid, id uuid, account_id uuid, amount int8, currency text, status text,
        expires_at timestamptz, posted_after int8, available_after int8, created_at timestamptz, updated_at timestamptz)`)
  }
  if (w.balances.length) out.push(updateBalances(tx, w.balances))
  if (w.expired.length) out.push(...expireHolds(tx, w.expired))
  return out
}

function expireHolds(tx: Queryable, expired: Writes['expired']): Promise<unknown>[] {
  const ws = expired.map((e) => e.transfer.workspace_id)
  const ids = expired.map((e) => e.transfer.id)
  const at = expired.map((e) => e.transfer.updated_at.toISOString())
  return [
    tx`update ledger_transfers t set status = 'EXPIRED', updated_at = v.at
       from unnest(${ws}::uuid[], ${ids}::uuid[], ${at}::timestamptz[]) as v(w, i, at)
       where t.workspace_id = v.w and t.id = v.i`,
    tx`update ledger_holds h set status = 'EXPIRED', updated_at = v.at, posted_after = v.posted_after, available_after = v.available_after
       from unnest(${ws}::uuid[], ${ids}::uuid[], ${at}::timestamptz[], ${expired.map((e) => str(e.hold.posted_after))}::int8[],
         ${expired.map((e) => str(e.hold.available_after))}::int8[]) as v(w, i, at, posted_after, available_after)
       where h.workspace_id = v.w and h.id = v.i`,
  ]
}

/**
 * New transfers and their entries in one statement: each transfer's row carries its postings as
 * compact [account, amount, posted after, available after] arrays, in line order, and the entries
 * take the rest (workspace, currency, time) from their transfer: about half the bytes to build,
 * send and parse that a row per entry took.
 */
function insertTransfers(tx: Queryable, transfers: TransferRow[], entries: EntryRow[]): Promise<unknown> {
  const byId = new Map(transfers.map((t) => [t.id, t]))
  const postings = new Map<string, string[][]>(transfers.map((t) => [t.id, []]))
  for (const e of entries) {
    const t = byId.get(e.transfer_id)
    const of = postings.get(e.transfer_id)
    assert(t && of && of.length === e.line && e.currency === t.currency && e.created_at === t.created_at, 'entries belong to the new transfers, in line order, in their currency and time')
    of.push([e.account_id, str(e.amount), str(e.posted_after), str(e.available_after)])
  }
  // Explicit fields, absent when null (jsonb_to_recordset reads a missing key as null), and each
  // timestamp converted once: a batch's rows share them.
  const rows = transfers.map((r) => ({
    workspace_id: r.workspace_id, id: r.id, seq: str(r.seq), kind: r.kind, type: r.type, status: r.status, currency: r.currency,
    amount: str(r.amount), debit_account_id: r.debit_account_id, credit_account_id: r.credit_account_id,
    idempotency_key: r.idempotency_key ?? undefined, reference_id: r.reference_id ?? undefined, memo: r.memo ?? undefined,
    expires_at: r.expires_at ? isoString(r.expires_at) : undefined, details: r.details,
    created_at: isoString(r.created_at), updated_at: isoString(r.updated_at), posted_at: r.posted_at ? isoString(r.posted_at) : undefined,
    postings: postings.get(r.id),
  }))
  return tx`
    with x as (
      select * from jsonb_to_recordset(${rowsJson(rows)}::text::jsonb) as x(workspace_id uuid, id uuid, seq int8, kind text, type text, status text,
        currency text, amount int8, debit_account_id uuid, credit_account_id uuid, idempotency_key text, reference_id text, memo text,
        expires_at timestamptz, details jsonb, created_at timestamptz, updated_at timestamptz, posted_at timestamptz, postings jsonb)
    ), transfers as (
      insert into ledger_transfers (workspace_id, id, seq, kind, type, status, currency, amount, debit_account_id, credit_account_id,
        idempotency_key, reference_id, memo, expires_at, details, created_at, updated_at, posted_at)
      select workspace_id, id, seq, kind, type, status, currency, amount, debit_account_id, credit_account_id,
        idempotency_key, reference_id, memo, expires_at, details, created_at, updated_at, posted_at
      from x
    )
    insert into ledger_entries (workspace_id, transfer_id, line, account_id, currency, amount, posted_after, available_after, created_at)
    select x.workspace_id, x.id, (p.n - 1)::int, (p.v->>0)::uuid, x.currency, (p.v->>1)::int8, (p.v->>2)::int8, (p.v->>3)::int8, x.created_at
    from x cross join lateral jsonb_array_elements(x.postings) with ordinality as p(v, n)`
}

function insertEntries(tx: Queryable, e: EntryRow[]): Promise<unknown> {
  return tx`
    insert into ledger_entries (workspace_id, transfer_id, line, account_id, currency, amount, posted_after, available_after, created_at)
    select workspace_id, transfer_id, line, account_id, currency, amount, posted_after, available_after, created_at
    from jsonb_to_recordset(${rowsJson(e.map(entryJson))}::text::jsonb) as x(workspace_id uuid, transfer_id uuid, line int4, account_id uuid, currency text,
      amount int8, posted_after int8, available_after int8, created_at timestamptz)`
}

function updateBalances(tx: Queryable, b: LockedAccount[]): Promise<unknown> {
  // unnest, not jsonb_to_recordset: its estimate of 10 rows keeps the plan on the primary key,
  // where jsonb_to_recordset's 100 led to a hash join over a sequential scan of every account.
  return tx`
    update ledger_accounts l set posted = v.posted, held = v.held
    from unnest(${b.map((r) => r.workspace_id)}::uuid[], ${b.map((r) => r.id)}::uuid[], ${b.map((r) => str(r.posted))}::int8[], ${b.map((r) => str(r.held))}::int8[])
      as v(workspace_id, id, posted, held)
    where l.workspace_id = v.workspace_id and l.id = v.id`
}

/**
 * Releases, in the caller's transaction, the holds past their expiry on these accounts (for a
 * change of account status or a closure, which must not count them), locking the accounts that
 * have any. Returns what it released, for the caller's events.
 */
export async function expireDueHoldsIn(tx: Queryable, keys: { workspaceId: string; id: string }[], now: Date): Promise<Writes['expired']> {
  const due = await dueHoldsOn(tx, keys, now)
  if (due.length === 0) return []
  const locked = await lockAccounts(tx, due.map((d) => ({ workspaceId: d.transfer.workspace_id, id: d.transfer.debit_account_id })))
  const { writes } = planTransfers(locked, [], [], now, due)
  await Promise.all(writeStatements(tx, writes))
  return writes.expired
}

/** Creates transfers in the caller's transaction: lock, decide, write. */
export async function createTransfers(tx: Tx, transfers: NewTransfer[], now: Date): Promise<TransferOutcome[]> {
  const [locked, seqs] = await Promise.all([
    lockAccounts(tx, transfers.flatMap((t) => accountsOf({ kind: 'post', movement: t.movement }).map((id) => ({ workspaceId: t.workspaceId, id })))),
    reserveSeqs(tx, transfers.length),
  ])
  const { outcomes, writes } = planTransfers(locked, transfers, seqs, now)
  await Promise.all(writeStatements(tx, writes))
  return outcomes
}

export type SettleAction = 'capture' | 'cancel' | 'expire'
export type SettleOutcome = { ok: true; transfer: TransferRow; entries: EntryRow[]; hold: HoldRow } | { ok: false; rejection: Rejection }

const releasedStatus = { cancel: { transfer: 'CANCELED', hold: 'RELEASED' }, expire: { transfer: 'EXPIRED', hold: 'EXPIRED' } } as const

/**
 * Captures or releases a MANUAL transfer's hold. The transfer row is locked first (so two PATCHes
 * of one transfer serialize), then its accounts, in the same order as every batch.
 */
export async function settleHold(tx: Tx, workspaceId: string, transferId: string, action: SettleAction, now: Date): Promise<SettleOutcome | undefined> {
  const [transfer] = await tx<TransferRow[]>`select * from ledger_transfers where workspace_id = ${workspaceId} and id = ${transferId} for update`
  if (!transfer) return undefined
  const [hold] = await tx<HoldRow[]>`select * from ledger_holds where workspace_id = ${workspaceId} and id = ${transferId}`
  if (!hold) return { ok: false, rejection: { code: 'INVALID_STATUS', detail: `transfer ${transferId} was not made with capture_mode MANUAL` } }
  const movement: Movement = { debitAccountId: transfer.debit_account_id, creditAccountId: transfer.credit_account_id, amount: transfer.amount, currency: transfer.currency }
  const locked = await lockAccounts(tx, [{ workspaceId, id: movement.debitAccountId }, { workspaceId, id: movement.creditAccountId }])
  const states = new Map([...locked.values()].map((r) => [r.id, toState(r)]))
  const op: Operation = action === 'capture' ? { kind: 'capture', movement, holdStatus: hold.status } : { kind: 'release', movement, holdStatus: hold.status }
  const decided = decide(states, op)
  if (!decided.ok) return decided
  const updatedTransfer: TransferRow = {
    ...transfer,
    status: action === 'capture' ? 'POSTED' : releasedStatus[action].transfer,
    updated_at: now, posted_at: action === 'capture' ? now : null,
  }
  const debitState = states.get(movement.debitAccountId)!
  const updatedHold: HoldRow = {
    ...hold, status: action === 'capture' ? 'CLEARED' : releasedStatus[action].hold, updated_at: now,
    posted_after: debitState.posted, available_after: debitState.posted - debitState.held,
  }
  const entries = decided.postings.map((p, line): EntryRow => ({
    workspace_id: workspaceId, transfer_id: transferId, line, account_id: p.accountId, currency: movement.currency,
    amount: p.amount, posted_after: p.postedAfter, available_after: p.availableAfter, created_at: now,
  }))
  const balances = [...locked.values()].map((row) => ({ ...row, posted: states.get(row.id)!.posted, held: states.get(row.id)!.held }))
  await Promise.all([
    tx`update ledger_transfers set status = ${updatedTransfer.status}, updated_at = ${now}, posted_at = ${updatedTransfer.posted_at}
       where workspace_id = ${workspaceId} and id = ${transferId}`,
    tx`update ledger_holds set status = ${updatedHold.status}, updated_at = ${now}, posted_after = ${str(updatedHold.posted_after)}::int8,
         available_after = ${str(updatedHold.available_after)}::int8
       where workspace_id = ${workspaceId} and id = ${transferId}`,
    ...(entries.length ? [insertEntries(tx, entries)] : []),
    updateBalances(tx, balances),
  ])
  return { ok: true, transfer: updatedTransfer, entries, hold: updatedHold }
}

/** PENDING transfers whose expires_at has passed, oldest first, skipping ones another worker holds. */
export async function dueExpiries(tx: Tx, now: Date, limit: number): Promise<{ workspace_id: string; id: string }[]> {
  return tx<{ workspace_id: string; id: string }[]>`
    select workspace_id, id from ledger_transfers
    where status = 'PENDING' and expires_at <= ${now}
    order by expires_at limit ${limit}
    for update skip locked`
}

// Ledger accounts are created by the accounts domain through these, with the limits it computes.

export async function insertLedgerAccount(db: Queryable, row: Omit<LedgerAccountRow, 'posted' | 'held'>): Promise<void> {
  await db`insert into ledger_accounts ${db({ ...row, floor: row.floor?.toString() ?? null, ceiling: row.ceiling?.toString() ?? null } as never)}`
}

/** Inserts the account unless it exists; true when this call created it. */
export async function insertLedgerAccountIfAbsent(db: Queryable, row: Omit<LedgerAccountRow, 'posted' | 'held'>): Promise<boolean> {
  const rows = await db`insert into ledger_accounts ${db({ ...row, floor: row.floor?.toString() ?? null, ceiling: row.ceiling?.toString() ?? null } as never)}
                        on conflict (workspace_id, id) do nothing returning id`
  return rows.length === 1
}

export async function getLedgerAccount(db: Queryable, workspaceId: string, id: string, lock = false): Promise<LedgerAccountRow | undefined> {
  const [row] = lock
    ? await db<LedgerAccountRow[]>`select * from ledger_accounts where workspace_id = ${workspaceId} and id = ${id} for update`
    : await db<LedgerAccountRow[]>`select * from ledger_accounts where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export async function getLedgerAccounts(db: Queryable, workspaceId: string, ids: string[]): Promise<LedgerAccountRow[]> {
  if (ids.length === 0) return []
  return db<LedgerAccountRow[]>`select * from ledger_accounts where workspace_id = ${workspaceId} and id = any(${ids}::uuid[])`
}

/**
 * Changes an account's status and limits (not its balances). The caller holds the row lock
 * (getLedgerAccount with lock) and has checked the current balances fit the new limits; the table's
 * CHECK constraints hold the line if it did not.
 */
export async function updateLedgerAccountTerms(db: Queryable, workspaceId: string, id: string, terms: { status: string; access_status: string; floor: bigint | null; ceiling: bigint | null }): Promise<void> {
  await db`update ledger_accounts set status = ${terms.status}, access_status = ${terms.access_status},
             floor = ${terms.floor?.toString() ?? null}::int8, ceiling = ${terms.ceiling?.toString() ?? null}::int8
           where workspace_id = ${workspaceId} and id = ${id}`
}

export async function accountNumberTaken(db: Queryable, workspaceId: string, accountNumber: string): Promise<boolean> {
  const rows = await db`select 1 from ledger_accounts where workspace_id = ${workspaceId} and account_number = ${accountNumber}`
  return rows.length > 0
}

export async function getTransfer(db: Queryable, workspaceId: string, id: string): Promise<TransferRow | undefined> {
  const [row] = await db<TransferRow[]>`select * from ledger_transfers where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

export interface AuditReport {
  /** What was checked, with how many rows each check covered. */
  checked: { accounts: number; transfers: number; entries: number; holds: number }
  discrepancies: string[]
}

/**
 * The ledger's invariants, checked from the stored rows alone (for one workspace, or all):
 * every transfer's entries sum to zero per currency; a POSTED transfer has entries and no other
 * status does; each account's posted balance equals the sum of its entries and its held balance
 * the sum of its PENDING holds; a hold's status matches its transfer's; entries are in the
 * account's currency; no account breaches its floor or ceiling; no entry or transfer names a
 * missing transfer or account.
 */
export async function auditLedger(db: Queryable, workspaceId?: string): Promise<AuditReport> {
  const ws = (alias: string) => (workspaceId ? db`and ${db(alias)}.workspace_id = ${workspaceId}` : db``)
  const [[counts], unbalanced, entryStatus, postedMismatch, heldMismatch, holdStatus, currency, limits, orphans] = await Promise.all([
    db<{ accounts: number; transfers: number; entries: number; holds: number }[]>`
      select (select count(*) from ledger_accounts a where true ${ws('a')})::int as accounts,
             (select count(*) from ledger_transfers t where true ${ws('t')})::int as transfers,
             (select count(*) from ledger_entries e where true ${ws('e')})::int as entries,
             (select count(*) from ledger_holds h where true ${ws('h')})::int as holds`,
    db<{ workspace_id: string; transfer_id: string; currency: string; total: bigint }[]>`
      select e.workspace_id, e.transfer_id, e.currency, sum(e.amount)::int8 as total from ledger_entries e where true ${ws('e')}
      group by 1, 2, 3 having sum(e.amount) <> 0`,
    db<{ id: string; status: string; n: number }[]>`
      select t.id, t.status, count(e.line)::int as n from ledger_transfers t
      left join ledger_entries e on e.workspace_id = t.workspace_id and e.transfer_id = t.id
      where true ${ws('t')} group by t.workspace_id, t.id, t.status
      having (t.status = 'POSTED' and count(e.line) < 2) or (t.status <> 'POSTED' and count(e.line) > 0)`,
    db<{ id: string; posted: bigint; total: bigint }[]>`
      select a.id, a.posted, coalesce(sum(e.amount), 0)::int8 as total from ledger_accounts a
      left join ledger_entries e on e.workspace_id = a.workspace_id and e.account_id = a.id
      where true ${ws('a')} group by a.workspace_id, a.id, a.posted having a.posted <> coalesce(sum(e.amount), 0)`,
    db<{ id: string; held: bigint; total: bigint }[]>`
      select a.id, a.held, coalesce(sum(h.amount) filter (where h.status = 'PENDING'), 0)::int8 as total from ledger_accounts a
      left join ledger_holds h on h.workspace_id = a.workspace_id and h.account_id = a.id
      where true ${ws('a')} group by a.workspace_id, a.id, a.held having a.held <> coalesce(sum(h.amount) filter (where h.status = 'PENDING'), 0)`,
    db<{ id: string; hold: string; transfer: string }[]>`
      select h.id, h.status as hold, t.status as transfer from ledger_holds h join ledger_transfers t on t.workspace_id = h.workspace_id and t.id = h.id
      where true ${ws('h')} and not ((h.status = 'PENDING' and t.status = 'PENDING') or (h.status = 'CLEARED' and t.status = 'POSTED')
        or (h.status = 'RELEASED' and t.status = 'CANCELED') or (h.status = 'EXPIRED' and t.status = 'EXPIRED'))`,
    db<{ transfer_id: string; line: number }[]>`
      select e.transfer_id, e.line from ledger_entries e join ledger_accounts a on a.workspace_id = e.workspace_id and a.id = e.account_id
      where true ${ws('e')} and e.currency <> a.currency`,
    db<{ id: string; posted: bigint; held: bigint; floor: bigint | null; ceiling: bigint | null }[]>`
      select a.id, a.posted, a.held, a.floor, a.ceiling from ledger_accounts a
      where true ${ws('a')} and (a.held < 0 or (a.floor is not null and a.posted - a.held < a.floor) or (a.ceiling is not null and a.posted > a.ceiling))`,
    // The posting path's tables carry no foreign keys (migration 0201): check what they would.
    db<{ what: string; id: string }[]>`
      select 'entry of transfer' as what, e.transfer_id as id from ledger_entries e
        where true ${ws('e')} and not exists (select 1 from ledger_transfers t where t.workspace_id = e.workspace_id and t.id = e.transfer_id)
      union all
      select 'entry on account', e.account_id from ledger_entries e
        where true ${ws('e')} and not exists (select 1 from ledger_accounts a where a.workspace_id = e.workspace_id and a.id = e.account_id)
      union all
      select 'transfer account', t.id from ledger_transfers t
        where true ${ws('t')} and not exists (select 1 from ledger_accounts a where a.workspace_id = t.workspace_id and a.id = t.debit_account_id)
          or (true ${ws('t')} and not exists (select 1 from ledger_accounts a where a.workspace_id = t.workspace_id and a.id = t.credit_account_id))`,
  ])
  const discrepancies = [
    ...unbalanced.map((r) => `transfer ${r.transfer_id}: entries in ${r.currency} sum to ${r.total}, not 0`),
    ...entryStatus.map((r) => `transfer ${r.id}: status ${r.status} with ${r.n} entries`),
    ...postedMismatch.map((r) => `account ${r.id}: posted balance ${r.posted} but its entries sum to ${r.total}`),
    ...heldMismatch.map((r) => `account ${r.id}: held ${r.held} but its pending holds sum to ${r.total}`),
    ...holdStatus.map((r) => `transfer ${r.id}: hold ${r.hold} but transfer ${r.transfer}`),
    ...currency.map((r) => `transfer ${r.transfer_id} line ${r.line}: currency differs from its account's`),
    ...orphans.map((r) => `${r.what} ${r.id} names a missing row`),
    ...limits.map((r) => `account ${r.id}: posted ${r.posted}, held ${r.held} breach floor ${r.floor ?? 'none'} / ceiling ${r.ceiling ?? 'none'}`),
  ]
  return { checked: counts, discrepancies }
}
