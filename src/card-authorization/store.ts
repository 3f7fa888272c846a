// SQL for card messages: what the network sent and what Keel answered. Money is the ledger's;
// these rows name the hold or record they made.

import type { Queryable } from '../platform/db.js'

export type MessageState = 'PENDING' | 'CLEARED' | 'COMPLETION' | 'DECLINED' | 'ERROR'
export type Direction = 'CREDITS' | 'DEBITS'

export interface MessageRow {
  workspace_id: string
  id: string
  card_id: string
  account_id: string
  type: string
  state: MessageState
  direction: Direction
  requested_amount: bigint
  amount: bigint
  net_amount: bigint
  currency: string
  decline_reason: string | null
  original_id: string | null
  hold_id: string | null
  mid: string | null
  mcc: string | null
  network: string
  card_acceptor: Record<string, unknown> | null
  created_at: Date
}

/** Inserts messages; returns the statement so a batch can pipeline it before its commit. */
export function insertMessages(db: Queryable, rows: MessageRow[]): Promise<unknown> {
  const json = rows.map((r) => ({ ...r, requested_amount: r.requested_amount.toString(), amount: r.amount.toString(), net_amount: r.net_amount.toString(), created_at: r.created_at.toISOString() }))
  return db`insert into card_authorizations
    select * from jsonb_populate_recordset(null::card_authorizations, ${db.json(json as never)})`
}

/** Changes what an approved authorization still holds or has spent (later messages), for the spend windows. */
export function changeNetAmounts(db: Queryable, workspaceId: string, changes: { id: string; delta: bigint }[]): Promise<unknown> {
  const json = changes.map((c) => ({ id: c.id, delta: c.delta.toString() }))
  return db`update card_authorizations m set net_amount = greatest(m.net_amount + c.delta, 0)
    from jsonb_to_recordset(${db.json(json as never)}) as c(id uuid, delta int8)
    where m.workspace_id = ${workspaceId} and m.id = c.id`
}

export async function getMessage(db: Queryable, workspaceId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db<MessageRow[]>`select * from card_authorizations where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

/**
 * What approved card messages on an account have spent since each instant (a rolling window's
 * start), by direction, and how many approvals the card had since `velocitySince`: one round trip.
 */
export async function recentActivity(db: Queryable, workspaceId: string, accountId: string, cardId: string, windowStarts: Date[], velocitySince: Date): Promise<{ spent: { DEBITS: bigint; CREDITS: bigint }[]; cardCount: number }> {
  const starts = windowStarts.map((d) => d.toISOString())
  const [spent, [count]] = await Promise.all([
    db<{ i: number; debits: bigint; credits: bigint }[]>`
      select s.i::int as i,
        coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0)::int8 as debits,
        coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0)::int8 as credits
      from unnest(${starts}::timestamptz[]) with ordinality as s(start, i)
      left join card_authorizations m on m.workspace_id = ${workspaceId} and m.account_id = ${accountId}
        and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= s.start
      group by s.i order by s.i`,
    db<{ n: number }[]>`select count(*)::int as n from card_authorizations
      where workspace_id = ${workspaceId} and card_id = ${cardId} and original_id is null and state <> 'DECLINED' and created_at >= ${velocitySince}`,
  ])
  return { spent: spent.map((r) => ({ DEBITS: BigInt(r.debits), CREDITS: BigInt(r.credits) })), cardCount: count.n }
}

/** What a rolling window and the velocity check need to know of one message's account and card. */
export interface ActivityQuery { workspaceId: string; accountId: string; cardId: string; windowStarts: Date[]; velocitySince: Date }
export interface Activity { spent: { DEBITS: bigint; CREDITS: bigint }[]; cardCount: number }

/**
 * Inside a ledger batch's transaction: takes each named account's spend lock (a transaction-scoped
 * advisory lock, in one order, so two batches never wait on each other in a cycle), then reads what
 * the windows and the cards' velocity windows hold. Sent together (pipelined), in this order: the
 * reads run once the locks are held, each with a snapshot taken then, so they see every approval
 * committed by a transaction that held a lock before. Nothing is awaited between them: a caller
 * pipelines them with the rest of the batch's first round trip.
 */
export function lockedActivity(tx: Queryable, queries: ActivityQuery[]): Promise<Activity[]> {
  const lockKeys = [...new Set(queries.map((q) => spendLockKey(q.workspaceId, q.accountId)))]
  const windows = queries.flatMap((q, i) => q.windowStarts.map((start, k) => ({ i, k, w: q.workspaceId, a: q.accountId, start: start.toISOString() })))
  const cards = queries.map((q, i) => ({ i, w: q.workspaceId, c: q.cardId, since: q.velocitySince.toISOString() }))
  const locks = tx`select count(*) from (select distinct hashtextextended(k, 0) as h from unnest(${lockKeys}::text[]) as k order by h) keys,
    lateral (select pg_advisory_xact_lock(keys.h)) l`.execute()
  const spent = windows.length === 0 ? Promise.resolve([]) : tx<{ i: number; k: number; debits: string; credits: string }[]>`
    select s.i, s.k,
      coalesce(sum(m.net_amount) filter (where m.direction = 'DEBITS'), 0)::text as debits,
      coalesce(sum(m.net_amount) filter (where m.direction = 'CREDITS'), 0)::text as credits
    from jsonb_to_recordset(${tx.json(windows as never)}) as s(i int, k int, w uuid, a uuid, start timestamptz)
    left join card_authorizations m on m.workspace_id = s.w and m.account_id = s.a
      and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= s.start
    group by s.i, s.k`.execute()
  const counts = tx<{ i: number; n: number }[]>`
    select s.i, (select count(*)::int from card_authorizations m where m.workspace_id = s.w and m.card_id = s.c
      and m.original_id is null and m.state <> 'DECLINED' and m.created_at >= s.since) as n
    from jsonb_to_recordset(${tx.json(cards as never)}) as s(i int, w uuid, c uuid, since timestamptz)`.execute()
  return Promise.all([locks, spent, counts]).then(([, spentRows, countRows]) => {
    const out: Activity[] = queries.map((q) => ({ spent: q.windowStarts.map(() => ({ DEBITS: 0n, CREDITS: 0n })), cardCount: 0 }))
    for (const r of spentRows) out[r.i].spent[r.k] = { DEBITS: BigInt(r.debits), CREDITS: BigInt(r.credits) }
    for (const r of countRows) out[r.i].cardCount = r.n
    return out
  })
}

/** The name of an account's spend lock: held by a batch deciding card messages on it. */
function spendLockKey(workspaceId: string, accountId: string): string {
  return `card-spend/${workspaceId}/${accountId}`
}
