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
