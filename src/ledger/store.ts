// The one SQL path that moves money. A batch reads the accounts and holds it touches, lets rules.ts
// decide every command against that state (plan.ts), and writes transfers, entries, holds and
// balances with set-based statements in the caller's transaction. It locks what it read either
// before deciding (lockAccounts, lockHolds) or with its writes (verifyAccounts, verifyHolds: locked
// only if still as read, else the transaction fails). Either way accounts are locked in
// (workspace, id) order, then holds in the same order, so two batches never wait on each other in
// a cycle. Nothing else writes ledger_transfers, ledger_entries, ledger_holds or the balance
// columns of ledger_accounts.

import { assert } from '../platform/assert.js'
import { isoString, type Clock } from '../platform/clock.js'
import { allOf, plainArray, textArray, type Queryable, type Unsent } from '../platform/db.js'
import { keyOf, type Key } from './keys.js'
import { paymentTypes, type CommandKind, type HoldStatus } from './rules.js'

export interface TransferRow {
  workspace_id: string
  id: string
  seq: bigint
  /** The rail's name for it (INTERNAL_TRANSFER, …) and the type the API shows. */
  kind: string
  type: string
  action: CommandKind
  status: 'POSTED' | 'PENDING' | 'CANCELED' | 'EXPIRED' | 'DECLINED'
  currency: string
  /** Total debited, or what was held, captured, released; the signed change for adjust_pending. */
  amount: bigint
  debit_account_id: string
  credit_account_id: string
  pending_id: string | null
  group_id: string | null
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
  /** The pending transfer's id. */
  id: string
  account_id: string
  credit_account_id: string
  /** What it authorizes now (the pending amount, as adjusted). */
  amount: bigint
  captured: bigint
  currency: string
  status: HoldStatus
  expires_at: Date | null
  posted_after: bigint
  available_after: bigint
  /** The balances when the hold was made (posted_after and available_after then), for its created event's view; null for holds made before migration 1530. */
  created_posted_after: bigint | null
  created_available_after: bigint | null
  created_at: Date
  updated_at: Date
}

/** What a batch reads of an account it locks. */
export interface LockedAccount {
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
  /**
   * The kind of the account's first holder whose verification is not ACCEPTED ('PERSON' before
   * 'BUSINESS'), or null: `ledger_account_holders`, kept by migration 1650's triggers, read with the
   * account and never written here (nor locked: only the account's own row is).
   */
  unverified_holder: 'PERSON' | 'BUSINESS' | null
  /**
   * Whether the account has spend controls that may govern a payment the ledger checks
   * (`ledger_account_holders.spend_controls`, kept by migration 1660's triggers): read, compared
   * and never locked like `unverified_holder`. Their terms are read only when needed (spendLimitsOf).
   */
  spend_controlled: boolean
}

const str = (v: bigint) => v.toString()


/** (workspace, id) order: the order every path locks accounts, then holds, in. */
const lockOrder = (a: Key, b: Key): number => (a.workspaceId === b.workspaceId ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.workspaceId < b.workspaceId ? -1 : 1)
const rowKey = (r: { workspace_id: string; id: string }): Key => ({ workspaceId: r.workspace_id, id: r.id })

function uniqueSorted(keys: Key[]): Key[] {
  return [...new Map(keys.map((k) => [keyOf(k.workspaceId, k.id), k])).values()].sort(lockOrder)
}

/**
 * The named ledger accounts, by workspace/id: locked FOR UPDATE in (workspace, id) order, or, with
 * `lock` false, read as last committed (a batch that locks them with its writes: verifyAccounts).
 */
export async function lockAccounts(tx: Queryable, keys: Key[], lock = true): Promise<Map<string, LockedAccount>> {
  const unique = uniqueSorted(keys)
  if (unique.length === 0) return new Map()
  const rows = await tx<LockedAccount[]>`
    select l.workspace_id, l.id, l.kind, l.account_number, l.currency, l.status, l.access_status, l.posted, l.held, l.floor, l.ceiling, h.unverified_holder,
      h.spend_controls is not null as spend_controlled
    from ledger_accounts l
    join (select unnest(${plainArray(unique.map((k) => k.workspaceId))}::uuid[]) as w, unnest(${plainArray(unique.map((k) => k.id))}::uuid[]) as i) as k
      on l.workspace_id = k.w and l.id = k.i
    left join ledger_account_holders h on h.workspace_id = l.workspace_id and h.account_id = l.id
    order by l.workspace_id, l.id
    ${lock ? tx`for update of l` : tx``}`
  return new Map(rows.map((r) => [keyOf(r.workspace_id, r.id), r]))
}

/** The named holds: locked FOR UPDATE in (workspace, id) order, always after their accounts; or, with `lock` false, read. */
export async function lockHolds(tx: Queryable, keys: Key[], lock = true): Promise<Map<string, HoldRow>> {
  const unique = uniqueSorted(keys)
  if (unique.length === 0) return new Map()
  const rows = await tx<HoldRow[]>`
    select h.* from ledger_holds h
    join (select unnest(${unique.map((k) => k.workspaceId)}::uuid[]) as w, unnest(${unique.map((k) => k.id)}::uuid[]) as i) as k
      on h.workspace_id = k.w and h.id = k.i
    order by h.workspace_id, h.id
    ${lock ? tx`for update of h` : tx``}`
  return new Map(rows.map((r) => [keyOf(r.workspace_id, r.id), r]))
}

/**
 * The PENDING holds past their expiry on the given accounts (each key with its workspace's time):
 * locked, when the accounts are (the statement before this one on the connection), so no other
 * transaction can be settling these holds now; or, with `lock` false, read.
 */
export async function dueHoldsOn(tx: Queryable, keys: (Key & { now: Date })[], lock = true): Promise<HoldRow[]> {
  if (keys.length === 0) return []
  // Each account's due holds through its own index range (ledger_holds_account_expiry), or, where
  // the statistics say one account has all of the workspace's holds, the workspace's range of due
  // holds (ledger_holds_workspace_expiry), the same holds. A join of the keys to the holds leaves
  // the planner the choice of scanning every PENDING hold of the workspace instead, and under the
  // card bench it took it (8.5 to 20 ms a batch, against 0.3) once plans were cached or joins
  // restricted, in an experiment docs/throughput/card-authorization.md describes. Locking, the
  // holds are locked in id order, as everywhere.
  if (!lock) return tx<HoldRow[]>`select h.* from ${dueHoldsByAccount(tx, keys)} order by h.workspace_id, h.id`
  const [w, a, now] = [keys.map((k) => k.workspaceId), keys.map((k) => k.id), keys.map((k) => isoString(k.now))]
  return tx<HoldRow[]>`
    select h.* from ledger_holds h
    join (select unnest(${w}::uuid[]) as w, unnest(${a}::uuid[]) as a, unnest(${now}::timestamptz[]) as now) as k
      on h.workspace_id = k.w and h.account_id = k.a
    where h.status = 'PENDING' and h.expires_at <= k.now
    order by h.workspace_id, h.id
    for update of h`
}

/** Each account's PENDING holds past its expiry (by `now`) as `h`, through the account's own index range (dueHoldsOn says why). */
function dueHoldsByAccount(tx: Queryable, keys: (Key & { now: Date })[]) {
  return tx`
    (select unnest(${plainArray(keys.map((k) => k.workspaceId))}::uuid[]) as w, unnest(${plainArray(keys.map((k) => k.id))}::uuid[]) as a, unnest(${plainArray(keys.map((k) => isoString(k.now)))}::timestamptz[]) as now) as k
    cross join lateral (
      select * from ledger_holds h where h.workspace_id = k.w and h.account_id = k.a and h.status = 'PENDING' and h.expires_at <= k.now offset 0) as h`
}

/** The SQLSTATE of ledger_expect_rows (migration 1300): what a batch read has changed since. */
export const plannedStateChanged = 'KL001'

/**
 * Locks these accounts in (workspace, id) order, each only if it is still as given in everything
 * the rules read; if any is not, the statement fails with plannedStateChanged and the transaction
 * with it. A row another transaction holds is waited for, then compared as it is after. The accounts
 * whose balances the batch writes (`changing`, by keyOf) are locked FOR UPDATE; the others, which it
 * only read (a hold's credit side, which nothing moves until a capture), FOR SHARE: unchanged while
 * the batch runs, but open to other batches that only read them. Every batch of card authorizations
 * names the funding account as the side its holds would credit; locked FOR UPDATE, each batch's
 * writes waited for the commit of the batch before. Each row is locked once, in the one order, so
 * two batches cannot wait on each other in a cycle. Sent as it is made, so it reaches the server
 * before the writes made after it.
 */
export function verifyAccounts(tx: Queryable, accounts: LockedAccount[], changing: ReadonlySet<string>): Unsent {
  const a = [...accounts].sort((x, y) => lockOrder(rowKey(x), rowKey(y)))
  return tx`
    select ledger_expect_rows(count(u.found) + count(s.found), ${a.length})
    from (select unnest(${plainArray(a.map((r) => r.workspace_id))}::uuid[]) as w, unnest(${plainArray(a.map((r) => r.id))}::uuid[]) as i, unnest(${plainArray(a.map((r) => r.posted))}::int8[]) as posted,
        unnest(${plainArray(a.map((r) => r.held))}::int8[]) as held, unnest(${textArray(a.map((r) => r.status))}::text[]) as status, unnest(${textArray(a.map((r) => r.access_status))}::text[]) as access_status,
        unnest(${plainArray(a.map((r) => r.floor))}::int8[]) as floor, unnest(${plainArray(a.map((r) => r.ceiling))}::int8[]) as ceiling,
        unnest(${textArray(a.map((r) => r.unverified_holder))}::text[]) as unverified_holder,
        unnest(${plainArray(a.map((r) => String(r.spend_controlled)))}::bool[]) as spend_controlled, unnest(${plainArray(a.map((r) => String(changing.has(keyOf(r.workspace_id, r.id)))))}::bool[]) as changing)
      as v
    left join lateral (
      select 1 as found from ledger_accounts l left join ledger_account_holders h on h.workspace_id = l.workspace_id and h.account_id = l.id
      where v.changing and l.workspace_id = v.w and l.id = v.i and l.posted = v.posted and l.held = v.held and l.status = v.status
        and l.access_status = v.access_status and l.floor is not distinct from v.floor and l.ceiling is not distinct from v.ceiling
        and h.unverified_holder is not distinct from v.unverified_holder and (h.spend_controls is not null) = v.spend_controlled
      for update of l) as u on true
    left join lateral (
      select 1 as found from ledger_accounts l left join ledger_account_holders h on h.workspace_id = l.workspace_id and h.account_id = l.id
      where not v.changing and l.workspace_id = v.w and l.id = v.i and l.posted = v.posted and l.held = v.held and l.status = v.status
        and l.access_status = v.access_status and l.floor is not distinct from v.floor and l.ceiling is not distinct from v.ceiling
        and h.unverified_holder is not distinct from v.unverified_holder and (h.spend_controls is not null) = v.spend_controlled
      for share of l) as s on true`
}

/** verifyAccounts for holds: each locked only if its amount, captures and status are as given. After the accounts. */
export function verifyHolds(tx: Queryable, holds: HoldRow[]): Unsent {
  const h = [...holds].sort((x, y) => lockOrder(rowKey(x), rowKey(y)))
  return tx`
    select ledger_expect_rows(count(*), ${h.length}) from (
      select 1 from ledger_holds l
      join (select unnest(${h.map((r) => r.workspace_id)}::uuid[]) as w, unnest(${h.map((r) => r.id)}::uuid[]) as i, unnest(${h.map((r) => str(r.amount))}::int8[]) as amount, unnest(${h.map((r) => str(r.captured))}::int8[]) as captured,
        unnest(${h.map((r) => r.status)}::text[]) as status) as v
        on l.workspace_id = v.w and l.id = v.i
      where l.amount = v.amount and l.captured = v.captured and l.status = v.status
      order by l.workspace_id, l.id
      for update of l) as still`
}

/** Which of these transfer ids are written already. */
export async function existingTransfers(tx: Queryable, keys: Key[]): Promise<Map<string, TransferRow>> {
  if (keys.length === 0) return new Map()
  const rows = await tx<TransferRow[]>`
    select t.* from ledger_transfers t
    join (select unnest(${keys.map((k) => k.workspaceId)}::uuid[]) as w, unnest(${keys.map((k) => k.id)}::uuid[]) as i) as k on t.workspace_id = k.w and t.id = k.i`
  return new Map(rows.map((r) => [keyOf(r.workspace_id, r.id), r]))
}

/** One spend control of an account (ledger_account_holders.spend_controls) and what its window has spent. */
export interface SpendLimitRow {
  workspace_id: string
  account_id: string
  id: string
  amount_limit: bigint
  window_days: number | null
  direction: 'DEBITS' | 'CREDITS'
  payment_types: string[]
  payment_sub_types: string[]
  spent: bigint
}

/**
 * The spend controls of these accounts that govern ledger payments, each with what its rolling
 * window (the `windowDays` before the given time, on the workspace's clock) has spent in its
 * direction, counting records of the payment types it names (every payment type when none) and of
 * its sub-types when it names some (a record's type: ACH.OUTGOING_CREDIT…): the entries posted on
 * the account in the window (debits for DEBITS, credits for CREDITS) by transfers and captures, and
 * for DEBITS what the account's pending holds made in the window still reserve, so a released hold
 * frees its room; money promised to the account counts once it arrives. Money moving back (an ACH
 * return, a returned debit's shortfall collected) and an ACH debit's availability hold (it keeps
 * money the account received) are not payments (ledger_is_payment). Read from the account's spend
 * days (ledger_spend_in, migration 1670), so the read does not grow with what the account does.
 * Read once the accounts' spend locks and rows are held, so no payment on them commits meanwhile.
 */
export async function spendLimitsOf(tx: Queryable, queries: (Key & { at: Date })[]): Promise<Map<string, SpendLimitRow[]>> {
  const byKey = new Map<string, SpendLimitRow[]>()
  if (queries.length === 0) return byKey
  // Each window through ledger_spend_in (migration 1670): the account's days, with the records of the
  // window's first day; its days of 24 hours (the session's time zone plays no part) before the time.
  const rows = await tx<SpendLimitRow[]>`
    select q.w as workspace_id, q.a as account_id, c.id, c.amount_limit, c.window_days, c.direction, c.payment_types, c.payment_sub_types,
      case when c.window_days is null then 0::int8
        else ledger_spend_in(q.w, q.a, q.at - make_interval(secs => c.window_days * 86400), q.at, c.direction,
          case when cardinality(c.payment_types) = 0 then ${textArray(paymentTypes)}::text[] else c.payment_types end, c.payment_sub_types) end as spent
    from (select unnest(${plainArray(queries.map((k) => k.workspaceId))}::uuid[]) as w, unnest(${plainArray(queries.map((k) => k.id))}::uuid[]) as a,
        unnest(${textArray(queries.map((k) => isoString(k.at)))}::timestamptz[]) as at) as q
    join ledger_account_holders h on h.workspace_id = q.w and h.account_id = q.a
    cross join lateral jsonb_to_recordset(h.spend_controls)
      as c(id uuid, amount_limit int8, window_days int, direction text, payment_types text[], payment_sub_types text[])
    order by q.w, q.a, c.id`
  for (const r of rows) {
    const k = keyOf(r.workspace_id, r.account_id)
    const list = byKey.get(k)
    if (list) list.push(r)
    else byKey.set(k, [r])
  }
  return byKey
}

/** One account's spend controls with what their windows have spent at `at` (spendLimitsOf): empty when it has none. */
export async function spendLimitsOfAccount(tx: Queryable, workspaceId: string, accountId: string, at: Date): Promise<SpendLimitRow[]> {
  return (await spendLimitsOf(tx, [{ workspaceId, id: accountId, at }])).get(keyOf(workspaceId, accountId)) ?? []
}

/**
 * Money a rail promises to an account and posts later (promiseCredit in promises.ts): one row a
 * promise, counted on CREDITS in the account's spend days while it stands (migration 1700).
 */
export interface PromiseRow { workspace_id: string; id: string; account_id: string; kind: string; type: string; amount: bigint; created_at: Date }

export async function insertPromise(tx: Queryable, p: PromiseRow): Promise<void> {
  await tx`insert into ledger_promises (workspace_id, id, account_id, kind, type, amount, created_at)
    values (${p.workspace_id}, ${p.id}, ${p.account_id}, ${p.kind}, ${p.type}, ${p.amount.toString()}::int8, ${isoString(p.created_at)}::timestamptz)`
}

/** Ends these promises (kept or broken), those that stand; their days give their room back. */
export async function deletePromises(tx: Queryable, workspaceId: string, ids: string[]): Promise<void> {
  await tx`delete from ledger_promises where workspace_id = ${workspaceId} and id = any(${plainArray(ids)}::uuid[])`
}

/** The accounts of these holds (what never changes about them), read before a batch locks anything. */
export async function holdAccounts(db: Queryable, keys: Key[]): Promise<Map<string, { account_id: string; credit_account_id: string }>> {
  if (keys.length === 0) return new Map()
  const rows = await db<{ workspace_id: string; id: string; account_id: string; credit_account_id: string }[]>`
    select h.workspace_id, h.id, h.account_id, h.credit_account_id from ledger_holds h
    join (select unnest(${keys.map((k) => k.workspaceId)}::uuid[]) as w, unnest(${keys.map((k) => k.id)}::uuid[]) as i) as k on h.workspace_id = k.w and h.id = k.i`
  return new Map(rows.map((r) => [keyOf(r.workspace_id, r.id), r]))
}

/** The ledger_transfers.seq sequence's increment (migration 0402): each value starts a block this long. */
export const seqBlockSize = 256

/**
 * Reserves `count` transfer sequence numbers (the int64 ids the transaction views show): one
 * nextval per block of seqBlockSize, numbered on from it; the rest of a block goes unused.
 */
export async function reserveSeqs(tx: Queryable, count: number): Promise<bigint[]> {
  if (count === 0) return []
  const [{ starts }] = await tx<{ starts: string }[]>`select ${seqStarts(tx, count)} as starts`
  return seqsFrom(starts, count)
}

/** The block starts reserveSeqs takes for `count` numbers, as one comma-separated text (null for none). */
function seqStarts(tx: Queryable, count: number) {
  return tx`(select array_to_string(array_agg(nextval(pg_get_serial_sequence('ledger_transfers', 'seq'))), ',') from generate_series(1, ${Math.ceil(count / seqBlockSize)}))`
}

function seqsFrom(starts: string | null, count: number): bigint[] {
  const seqs: bigint[] = []
  for (const start of starts ? starts.split(',').map(BigInt) : []) {
    for (let i = 0n; i < BigInt(seqBlockSize) && seqs.length < count; i++) seqs.push(start + i)
  }
  return seqs
}

/**
 * How far the ledger_transfers.seq sequence has gone: a batch that writes records takes one value per
 * block of seqBlockSize (reserveSeqs), so its advance over a window, in blocks, counts those batches.
 */
export async function transferSeqPosition(db: Queryable): Promise<bigint> {
  const [{ position }] = await db<{ position: string }[]>`
    select coalesce(pg_sequence_last_value(pg_get_serial_sequence('ledger_transfers', 'seq')::regclass), 0)::text as position`
  return BigInt(position)
}

/** The rows one decided batch writes. */
export interface Writes {
  transfers: TransferRow[]
  entries: EntryRow[]
  /** Holds created by this batch. */
  newHolds: HoldRow[]
  /** Holds that existed and changed (captured, adjusted, released, expired), as they are after. */
  changedHolds: HoldRow[]
  balances: LockedAccount[]
}

/**
 * The statements that apply `writes`, not yet sent: the caller sends them as one with the rest of
 * its writes (oneStatement in src/platform/db.ts). Each changes rows none of the others reads or
 * changes: the balances and holds the batch has locked, and its new records, entries and holds.
 */
export function writeParts(tx: Queryable, w: Writes): Unsent[] {
  const out: Unsent[] = []
  if (w.balances.length) out.push(updateBalances(tx, w.balances))
  if (w.changedHolds.length) out.push(updateHolds(tx, w.changedHolds))
  if (w.transfers.length) out.push(insertTransfers(tx, w.transfers), insertEntries(tx, w.transfers, w.entries))
  if (w.newHolds.length) out.push(insertHolds(tx, w.newHolds))
  return out
}

/**
 * The spend locks of these accounts (transaction-scoped advisory locks), held to the transaction's
 * end, taken in one order in one statement, so two transactions never wait on each other's in a
 * cycle. What serializes the reads of an account's spend windows with the payments they count: a
 * payment on an account with spend controls takes its account's before its row lock (a ledger batch
 * that locks, applyInTransaction), and a rail that reads the windows before the ledger locks the row
 * (the card rail, Job.spendLocks) takes it before that read. Taken before any row lock: a
 * transaction holding a row lock never waits for a spend lock.
 */
export function lockSpend(tx: Queryable, keys: Key[]): Unsent {
  return tx`select pg_advisory_xact_lock(keys.h)
    from (select distinct hashtextextended('spend/' || k.w || '/' || k.a, 0) as h
          from (select unnest(${plainArray(keys.map((k) => k.workspaceId))}::text[]) as w, unnest(${plainArray(keys.map((k) => k.id))}::text[]) as a) as k order by h) as keys`
}

/** What a batch's opening statement (openBatch) answers. */
export interface BatchOpened {
  /**
   * When the plans of this keyed session (connectKeyed in src/platform/db.ts) were last renewed, in
   * ms since the epoch, as the session's own setting says; undefined if never.
   */
  renewedAt: number | undefined
  /** When the session last looked at whether its tables have outgrown its plans (plansOutgrown), likewise. */
  checkedAt: number | undefined
  /** The sequence numbers taken for a batch decided from memory (reserveSeqs); none otherwise. */
  seqs: bigint[]
}

/**
 * A batch's first statement after `begin`, sent as it is made: takes the transaction-scoped
 * advisory lock (lockClass, batch) that marks the batch in flight, and reads when the session's
 * plans were last renewed. For a batch decided from memory, which would otherwise not expire the
 * holds due on its accounts first, it also fails the transaction (plannedStateChanged) if one of
 * `due`'s accounts has a hold past its expiry still PENDING (those dueHoldsOn would read), and takes
 * `seqCount` sequence numbers as reserveSeqs does: four statements' work in one, each of them a
 * message to build, send, run and answer. It takes the spend locks of `spend` (lockSpend) too, so
 * every statement after it reads what a transaction that held one of them committed.
 */
export function openBatch(tx: Queryable, lockClass: number, batch: number, spend: Key[], fromMemory?: { due: (Key & { now: Date })[]; seqCount: number }, checks: readonly Unsent[] = []): Promise<BatchOpened> {
  // Two statements rather than one with its from-memory part as an optional fragment: the reading
  // batch's, whose every value is a parameter, keeps its text per call site (postgres.js's patch).
  const query = fromMemory
    ? tx<{ at: string | null; checked: string | null; starts: string | null }[]>`
        select pg_advisory_xact_lock(${lockClass}, ${batch}) as locked, current_setting('keel.plans_renewed_at', true) as at,
          current_setting('keel.plans_checked_at', true) as checked,
          (select ledger_expect_rows(count(h.id), 0) from ${dueHoldsByAccount(tx, fromMemory.due)}) as due,
          ${seqStarts(tx, fromMemory.seqCount)} as starts`
    : tx<{ at: string | null; checked: string | null; starts: string | null }[]>`
        select pg_advisory_xact_lock(${lockClass}, ${batch}) as locked, current_setting('keel.plans_renewed_at', true) as at,
          current_setting('keel.plans_checked_at', true) as checked, null::text as starts`
  return allOf(tx, spend.length ? [lockSpend(tx, spend), ...checks] : checks, query).execute().then(([{ at, checked, starts }]) => ({
    renewedAt: at ? Number(at) : undefined, checkedAt: checked ? Number(checked) : undefined, seqs: seqsFrom(starts, fromMemory?.seqCount ?? 0),
  }))
}

/**
 * Waits for the transactions of these batches (each holds the advisory lock (lockClass, batch) that
 * openBatch took) to end: a batch that decided on their plans locks its rows after theirs.
 */
export function awaitBatches(tx: Queryable, lockClass: number, batches: number[]): Promise<unknown> {
  return tx`select pg_advisory_xact_lock_shared(${lockClass}, b) from (select unnest(${batches}::int4[]) as b) as x`.execute()
}

/**
 * Drops every plan the session keeps (its prepared statements stay) and makes each again for the
 * tables as they are now (keyed_plans_make, migration 1610), so the session's next batch has none to
 * make; records the time and the tables' sizes (plansOutgrown compares them). Outside a transaction.
 */
export async function renewPlans(tx: Queryable, at: number): Promise<void> {
  await tx`discard plans`
  await tx`select keyed_plans_make()`
  await tx`select set_config('keel.plans_renewed_at', ${String(at)}, false), set_config('keel.plans_checked_at', ${String(at)}, false),
    set_config('keel.plans_pages', (select json_object_agg(t.relname, t.pages)::text from ${tablePages(tx)}), false)`
}

/**
 * Whether a table of the schema has at least doubled in pages (plus plansSlackPages) since the
 * session's plans were last made (renewPlans): a plan made for a table so much smaller may read it
 * through an index that no longer fits (docs/ledger.md, "Keyed sessions"). Records the time of the
 * look. One statement: each table's size is a look at its file, 60-odd of them.
 */
export async function plansOutgrown(tx: Queryable, at: number): Promise<boolean> {
  const [{ outgrown }] = await tx<{ checked: string; outgrown: boolean }[]>`
    select set_config('keel.plans_checked_at', ${String(at)}, false) as checked,
      coalesce(bool_or(t.pages >= 2 * coalesce(m.pages::int8, 0) + ${plansSlackPages}), false) as outgrown
    from ${tablePages(tx)}
    left join json_each_text(coalesce(nullif(current_setting('keel.plans_pages', true), ''), '{}')::json) as m(relname, pages) on m.relname = t.relname`
  return outgrown
}

/** A table may grow by this many pages past twice its size before the plans made for it are (empty tables: 64 KB). */
const plansSlackPages = 8

const tablePages = (tx: Queryable) => tx`(select c.relname::text as relname, pg_relation_size(c.oid) / current_setting('block_size')::int8 as pages
  from pg_class c where c.relnamespace = to_regnamespace(current_schema()) and c.relkind = 'r') as t`

/**
 * New transfers, each column one array literal (plainArray, textArray), unnested in the select list
 * (src/platform/db.ts says why): measured against the rows as one JSON parameter expanded by
 * jsonb_to_recordset, about a third less of PostgreSQL's time for the statement, at the same cost
 * to build.
 */
function insertTransfers(tx: Queryable, transfers: TransferRow[]): Unsent {
  const t = transfers
  const opt = (d: Date | null) => (d ? isoString(d) : null)
  return tx`
    insert into ledger_transfers (workspace_id, id, seq, kind, type, action, status, currency, amount, debit_account_id, credit_account_id,
      pending_id, group_id, idempotency_key, reference_id, memo, expires_at, details, created_at, updated_at, posted_at)
    select unnest(${plainArray(t.map((r) => r.workspace_id))}::uuid[]), unnest(${plainArray(t.map((r) => r.id))}::uuid[]), unnest(${plainArray(t.map((r) => r.seq))}::int8[]),
      unnest(${textArray(t.map((r) => r.kind))}::text[]), unnest(${textArray(t.map((r) => r.type))}::text[]), unnest(${textArray(t.map((r) => r.action))}::text[]),
      unnest(${textArray(t.map((r) => r.status))}::text[]), unnest(${textArray(t.map((r) => r.currency))}::text[]), unnest(${plainArray(t.map((r) => r.amount))}::int8[]),
      unnest(${plainArray(t.map((r) => r.debit_account_id))}::uuid[]), unnest(${plainArray(t.map((r) => r.credit_account_id))}::uuid[]),
      unnest(${plainArray(t.map((r) => r.pending_id))}::uuid[]), unnest(${plainArray(t.map((r) => r.group_id))}::uuid[]), unnest(${textArray(t.map((r) => r.idempotency_key))}::text[]),
      unnest(${textArray(t.map((r) => r.reference_id))}::text[]), unnest(${textArray(t.map((r) => r.memo))}::text[]), unnest(${plainArray(t.map((r) => opt(r.expires_at)))}::timestamptz[]),
      unnest(${textArray(t.map((r) => JSON.stringify(r.details)))}::jsonb[]), unnest(${plainArray(t.map((r) => isoString(r.created_at)))}::timestamptz[]),
      unnest(${plainArray(t.map((r) => isoString(r.updated_at)))}::timestamptz[]), unnest(${plainArray(t.map((r) => opt(r.posted_at)))}::timestamptz[])`
}

/** The new transfers' entries, in line order, at their transfers' times. */
function insertEntries(tx: Queryable, transfers: TransferRow[], entries: EntryRow[]): Unsent {
  const byId = new Map(transfers.map((t) => [t.id, t]))
  const lines = new Map<string, number>(transfers.map((t) => [t.id, 0]))
  for (const e of entries) {
    const t = byId.get(e.transfer_id)
    assert(t && lines.get(e.transfer_id) === e.line && e.created_at === t.created_at, 'entries belong to the new transfers, in line order, at their time')
    lines.set(e.transfer_id, e.line + 1)
  }
  return tx`
    insert into ledger_entries (workspace_id, transfer_id, line, account_id, currency, amount, posted_after, available_after, created_at)
    select unnest(${plainArray(entries.map((e) => e.workspace_id))}::uuid[]), unnest(${plainArray(entries.map((e) => e.transfer_id))}::uuid[]),
      unnest(${plainArray(entries.map((e) => e.line))}::int4[]), unnest(${plainArray(entries.map((e) => e.account_id))}::uuid[]), unnest(${textArray(entries.map((e) => e.currency))}::text[]),
      unnest(${plainArray(entries.map((e) => e.amount))}::int8[]), unnest(${plainArray(entries.map((e) => e.posted_after))}::int8[]), unnest(${plainArray(entries.map((e) => e.available_after))}::int8[]),
      unnest(${plainArray(entries.map((e) => isoString(e.created_at)))}::timestamptz[])`
}

/** New holds, each column one array literal (plainArray, textArray), as insertTransfers writes records. */
function insertHolds(tx: Queryable, holds: HoldRow[]): Unsent {
  const h = holds
  return tx`
    insert into ledger_holds (workspace_id, id, account_id, credit_account_id, amount, captured, currency, status, expires_at, posted_after, available_after,
      created_posted_after, created_available_after, created_at, updated_at)
    select unnest(${plainArray(h.map((r) => r.workspace_id))}::uuid[]), unnest(${plainArray(h.map((r) => r.id))}::uuid[]), unnest(${plainArray(h.map((r) => r.account_id))}::uuid[]),
      unnest(${plainArray(h.map((r) => r.credit_account_id))}::uuid[]), unnest(${plainArray(h.map((r) => r.amount))}::int8[]), unnest(${plainArray(h.map((r) => r.captured))}::int8[]),
      unnest(${textArray(h.map((r) => r.currency))}::text[]), unnest(${textArray(h.map((r) => r.status))}::text[]), unnest(${plainArray(h.map((r) => (r.expires_at ? isoString(r.expires_at) : null)))}::timestamptz[]),
      unnest(${plainArray(h.map((r) => r.posted_after))}::int8[]), unnest(${plainArray(h.map((r) => r.available_after))}::int8[]),
      unnest(${plainArray(h.map((r) => r.created_posted_after))}::int8[]), unnest(${plainArray(h.map((r) => r.created_available_after))}::int8[]),
      unnest(${plainArray(h.map((r) => isoString(r.created_at)))}::timestamptz[]), unnest(${plainArray(h.map((r) => isoString(r.updated_at)))}::timestamptz[])`
}

/** What changes of held holds (what a hold was made with, created_posted_after and the rest, never changes). */
function updateHolds(tx: Queryable, holds: HoldRow[]): Unsent {
  const h = holds
  return tx`
    update ledger_holds l set amount = x.amount, captured = x.captured, status = x.status, posted_after = x.posted_after,
      available_after = x.available_after, updated_at = x.updated_at
    from (select unnest(${plainArray(h.map((r) => r.workspace_id))}::uuid[]) as workspace_id, unnest(${plainArray(h.map((r) => r.id))}::uuid[]) as id,
      unnest(${plainArray(h.map((r) => r.amount))}::int8[]) as amount, unnest(${plainArray(h.map((r) => r.captured))}::int8[]) as captured,
      unnest(${textArray(h.map((r) => r.status))}::text[]) as status, unnest(${plainArray(h.map((r) => r.posted_after))}::int8[]) as posted_after,
      unnest(${plainArray(h.map((r) => r.available_after))}::int8[]) as available_after, unnest(${plainArray(h.map((r) => isoString(r.updated_at)))}::timestamptz[]) as updated_at)
      as x
    where l.workspace_id = x.workspace_id and l.id = x.id`
}

function updateBalances(tx: Queryable, b: LockedAccount[]): Unsent {
  // unnest, not jsonb_to_recordset: its estimate of 10 rows keeps the plan on the primary key,
  // where jsonb_to_recordset's 100 led to a hash join over a sequential scan of every account.
  return tx`
    update ledger_accounts l set posted = v.posted, held = v.held
    from (select unnest(${plainArray(b.map((r) => r.workspace_id))}::uuid[]) as workspace_id, unnest(${plainArray(b.map((r) => r.id))}::uuid[]) as id, unnest(${plainArray(b.map((r) => r.posted))}::int8[]) as posted,
      unnest(${plainArray(b.map((r) => r.held))}::int8[]) as held)
      as v
    where l.workspace_id = v.workspace_id and l.id = v.id`
}

/**
 * The PENDING holds past their expiry, oldest expiry first: in one workspace at its time, or in every
 * workspace, each at its own time (real time plus its clock's offset). Either way each workspace's
 * range of ledger_holds_workspace_expiry up to its own time, so a round reads the due holds and one
 * index entry past them per workspace (migration 1620).
 */
export async function dueHolds(db: Queryable, clock: Clock, limit: number, workspaceId?: string): Promise<{ workspace_id: string; id: string }[]> {
  return workspaceId
    ? db<{ workspace_id: string; id: string }[]>`
        select workspace_id, id from ledger_holds where workspace_id = ${workspaceId} and status = 'PENDING' and expires_at <= ${clock.now(workspaceId)}
        order by expires_at limit ${limit}`
    : db<{ workspace_id: string; id: string }[]>`
        select h.workspace_id, h.id from workspace_times(${clock.now()}) t
        cross join lateral (
          select h.workspace_id, h.id, h.expires_at from ledger_holds h
          where h.workspace_id = t.workspace_id and h.status = 'PENDING' and h.expires_at <= t.now
          order by h.expires_at limit ${limit}) as h
        order by h.expires_at limit ${limit}`
}

/** When the next PENDING hold of a workspace expires, up to `until`, or undefined. */
export async function nextHoldExpiry(db: Queryable, workspaceId: string, until: Date): Promise<Date | undefined> {
  const [row] = await db<{ at: Date | null }[]>`
    select min(expires_at) as at from ledger_holds where status = 'PENDING' and workspace_id = ${workspaceId} and expires_at <= ${until}`
  return row?.at ?? undefined
}
