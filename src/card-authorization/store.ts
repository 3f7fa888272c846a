// SQL for card messages: what the network sent and what Keel answered. Money is the ledger's;
// these rows name the hold or record they made.

import type { CardAuthorizationColumns } from '../cards/index.js'
import { isoString } from '../platform/clock.js'
import { plainArray, textArray, type Queryable, type Unsent } from '../platform/db.js'

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
  /** CARD.ATM_WITHDRAWAL, CARD.POS_CASHBACK, or null: the payment sub-type a spend control may name. */
  sub_type: string | null
  network: string
  card_acceptor: Record<string, unknown> | null
  created_at: Date
}

/**
 * Inserts messages; returns the statement, not yet sent, for a batch to send with its other writes. Each column
 * is one array literal (plainArray, textArray), as the ledger writes its records and holds.
 */
export function insertMessages(db: Queryable, rows: MessageRow[]): Unsent {
  const r = rows
  return db`insert into card_authorizations (workspace_id, id, card_id, account_id, type, state, direction, requested_amount, amount, net_amount,
      currency, decline_reason, original_id, hold_id, mid, mcc, sub_type, network, card_acceptor, created_at)
    select unnest(${plainArray(r.map((m) => m.workspace_id))}::uuid[]), unnest(${plainArray(r.map((m) => m.id))}::uuid[]), unnest(${plainArray(r.map((m) => m.card_id))}::uuid[]),
      unnest(${plainArray(r.map((m) => m.account_id))}::uuid[]), unnest(${textArray(r.map((m) => m.type))}::text[]), unnest(${textArray(r.map((m) => m.state))}::text[]),
      unnest(${textArray(r.map((m) => m.direction))}::text[]), unnest(${plainArray(r.map((m) => m.requested_amount))}::int8[]), unnest(${plainArray(r.map((m) => m.amount))}::int8[]),
      unnest(${plainArray(r.map((m) => m.net_amount))}::int8[]), unnest(${textArray(r.map((m) => m.currency))}::text[]), unnest(${textArray(r.map((m) => m.decline_reason))}::text[]),
      unnest(${plainArray(r.map((m) => m.original_id))}::uuid[]), unnest(${plainArray(r.map((m) => m.hold_id))}::uuid[]), unnest(${textArray(r.map((m) => m.mid))}::text[]),
      unnest(${textArray(r.map((m) => m.mcc))}::text[]), unnest(${textArray(r.map((m) => m.sub_type))}::text[]), unnest(${textArray(r.map((m) => m.network))}::text[]),
      unnest(${textArray(r.map((m) => (m.card_acceptor === null ? null : JSON.stringify(m.card_acceptor))))}::jsonb[]), unnest(${plainArray(r.map((m) => isoString(m.created_at)))}::timestamptz[])`
}

/** Changes what an approved authorization still holds or has spent (later messages), for the spend windows. */
export function changeNetAmounts(db: Queryable, changes: { workspaceId: string; id: string; delta: bigint }[]): Unsent {
  // Two messages of one batch may change one original: their changes add up.
  return db`update card_authorizations m set net_amount = greatest(m.net_amount + c.delta, 0)
    from (select w, i, sum(d)::int8 as delta from (select unnest(${changes.map((c) => c.workspaceId)}::uuid[]) as w, unnest(${changes.map((c) => c.id)}::uuid[]) as i, unnest(${changes.map((c) => c.delta.toString())}::int8[]) as d) as x group by w, i) as c
    where m.workspace_id = c.w and m.id = c.i`
}

export async function getMessage(db: Queryable, workspaceId: string, id: string): Promise<MessageRow | undefined> {
  const [row] = await db<MessageRow[]>`select * from card_authorizations where workspace_id = ${workspaceId} and id = ${id}`
  return row
}

/** A workspace's messages of these ids (those that exist), each through the primary key. */
export function messagesByIds(db: Queryable, workspaceId: string, ids: string[]): Promise<MessageRow[]> {
  return db<MessageRow[]>`select m.* from unnest(${plainArray(ids)}::uuid[]) as k(id) join card_authorizations m on m.workspace_id = ${workspaceId} and m.id = k.id`
}

/**
 * What a rolling window and the velocity check need to know of one message's account and card, at
 * the message's time `at`. windows: by control, its rolling window, or null for a control without one.
 */
export interface ActivityQuery { workspaceId: string; accountId: string; cardId: string; at: Date; windows: (SpendWindow | null)[]; velocitySince: Date }

/**
 * A control's rolling window from `start`: the account's approved card messages in it (only those
 * `cards` lists, when it is set: their MCCs as ranges, none for any, and their payment sub-types,
 * none for any; windowCounts in decide.ts), and, where `payments` says, the payments the ledger's
 * rails made (ledgerKindsCounted): of those record kinds (and types, when any), in that direction.
 */
export interface SpendWindow {
  start: Date
  cards: { mccs: readonly [number, number][]; subTypes: readonly string[] } | null
  payments: { direction: Direction; kinds: string[]; subTypes: readonly string[] } | null
}

export interface Activity { spent: { DEBITS: bigint; CREDITS: bigint }[]; cardCount: number }

/**
 * Inside a ledger batch's transaction, after its opening statement took the accounts' spend locks
 * (Job.spendLocks, lockSpend in the ledger's store): what the windows and the cards' velocity windows
 * hold. Under READ COMMITTED a statement reads with a snapshot taken when it starts, after the locks
 * are held, so it sees every approval and payment committed by a transaction that held one before.
 * On a keyed session the sums' query (card_spend_sums, migration 1510) is inlined into the statement
 * and runs on the session's plan (migration 1520).
 */
export function lockedActivity(tx: Queryable, queries: ActivityQuery[]): Promise<Activity[]> {
  return activityOf(tx, queries, true)
}

/**
 * What the windows and the velocity count of one message may hold for its approval to stand: by
 * window (as in `windows`, null where the window is), the most spent in `direction`, null
 * for any; and the most approvals of the card, null for any. Undefined: nothing they hold would do.
 */
export interface SpendBounds { direction: Direction; spent: (bigint | null)[]; cardCount: number | null }

/** The SQLSTATE with which expectSpendWithin fails its transaction, and what its message says is over. */
const spendOverCode = 'KS001'
const spendOverWhat = 'card spend windows hold more than the batch allowed for'

/**
 * lockedActivity for a batch decided without reading first: one statement, sent with the batch's
 * writes (after its opening statement took the spend locks), that fails the transaction (SQLSTATE
 * KS001, through expect_none of migration 1590) unless each message's sums are within its bounds.
 * The sums are card_spend_sums', but card_spend_over (migration 1560) sums one exactly only when its
 * days or minutes, counted whole, do not already show it within its bound: a check far from its
 * limits reads no authorization.
 * The caller then runs the batch again, reading, and decides each message on what the windows hold.
 */
export function expectSpendWithin(tx: Queryable, queries: (ActivityQuery & { bounds: SpendBounds | undefined })[]): Unsent {
  // A message no window can let through (its bounds undefined): the batch cannot stand as decided.
  if (queries.some((q) => q.bounds === undefined)) return tx`select expect_none(1, ${spendOverCode}, ${spendOverWhat})`
  const json = sumsArgument(queries)
  // Each figure (message i, window k; k = -1 the card's count) finds its bound by position,
  // `stride` slots a message: the count's first, then its windows'. Looked up, not joined: without
  // hash joins (a keyed session's), a join rescans one side for each row of the other, and the
  // statement's time grew with the square of the batch.
  const stride = 1 + Math.max(...queries.map((q) => q.windows.length))
  const most: (bigint | null)[] = []
  for (const { bounds: b } of queries) {
    most.push(b!.cardCount === null ? null : BigInt(b!.cardCount))
    for (let k = 0; k < stride - 1; k++) most.push(b!.spent[k] ?? null)
  }
  return tx`
    select expect_none(count(*), ${spendOverCode}, ${spendOverWhat})
    from card_spend_over(${json}::text::jsonb, ${plainArray(queries.map((q) => q.bounds!.direction))}::text[], ${plainArray(most)}::int8[], ${stride}::int4)`
}

/**
 * What approved card messages on each account have spent since each window's start, by direction,
 * and how many approvals each card had since its velocity window's start, without locks: what a
 * decision reads before the batch, decided again under the locks (lockedActivity), on an ordinary
 * connection, planned for the table as it is (card_spend_sums_planned). Both read the one definition
 * of the sums (card_spend_sums).
 */
export function recentActivity(db: Queryable, queries: ActivityQuery[]): Promise<Activity[]> {
  return activityOf(db, queries, false)
}

/**
 * card_spend_sums's argument: each query as `i` (its index), w, a, c, at, since, its windows' starts
 * and, by window, what it counts of the ledger's payments (`pay`: d, the direction; k, the kinds; s,
 * the types) or null, and which card messages it counts (`cards`: m, the MCCs as a multirange or
 * null for any; t, the sub-types; card_message_counted, migration 1690) or null for all, left out
 * where every window counts all.
 */
function sumsArgument(queries: ActivityQuery[]): string {
  return JSON.stringify(queries.map((q, i) => ({
    i, w: q.workspaceId, a: q.accountId, c: q.cardId, at: isoString(q.at), since: isoString(q.velocitySince),
    windows: q.windows.map((w) => (w ? isoString(w.start) : null)),
    pay: q.windows.map((w) => (w?.payments ? { d: w.payments.direction, k: w.payments.kinds, s: w.payments.subTypes } : null)),
    ...(q.windows.some((w) => w?.cards) ? { cards: q.windows.map((w) => (w?.cards ? cardsCounted(w.cards) : null)) } : {}),
  })))
}

/** What a window counts of the card messages (SpendWindow.cards) as card_message_counted takes it: the MCC ranges as an int4multirange's text (null for any MCC), the sub-types. */
export function cardsCounted(cards: NonNullable<SpendWindow['cards']>): { m: string | null; t: readonly string[] } {
  return { m: cards.mccs.length ? `{${cards.mccs.map(([low, high]) => `[${low},${high}]`).join(',')}}` : null, t: cards.subTypes }
}

function activityOf(db: Queryable, queries: ActivityQuery[], inBatch: boolean): Promise<Activity[]> {
  const json = sumsArgument(queries)
  const rows = inBatch
    ? db<{ i: number; k: number; debits: string; credits: string }[]>`select i, k, debits::text, credits::text from card_spend_sums(${json}::text::jsonb)`.execute()
    : db<{ i: number; k: number; debits: string; credits: string }[]>`select i, k, debits::text, credits::text from card_spend_sums_planned(${json}::text::jsonb)`.execute()
  return rows.then((found) => {
    const out: Activity[] = queries.map((q) => ({ spent: q.windows.map(() => ({ DEBITS: 0n, CREDITS: 0n })), cardCount: 0 }))
    for (const r of found) {
      if (r.k === -1) out[r.i].cardCount = Number(r.debits)
      else out[r.i].spent[r.k] = { DEBITS: BigInt(r.debits), CREDITS: BigInt(r.credits) }
    }
    return out
  })
}

/** A spend control as the decision reads it. */
export interface ControlColumns {
  id: string; is_active: boolean; action_decline: boolean; amount_limit: string; direction: 'CREDITS' | 'DEBITS' | null
  merchant_category_codes: string[]; payment_types: string[]; payment_sub_types: string[]; window_days: number | null
}

/** Everything a new message's decision reads before the batch, in one row. */
export interface FactsRow extends CardAuthorizationColumns {
  /** Which versions of the rows below these facts were read from (factsVersion): unequal once any has changed. */
  facts_version: string
  /** Null when the card's account is not found. */
  account_status: string | null
  account_access_status: string | null
  controls: ControlColumns[]
  gateway: { url: string; custom_headers_encrypted: string | null; standin: { enabled?: boolean } | null } | null
}

/**
 * The cards, each with its account's status and the spend controls it names (by id), and the first
 * active gateway serving the card's product: one statement for any number of cards, where reading
 * each through its domain would take four statements a card (the card, the account, the controls,
 * the gateways), on every authorization. It reads the columns those domains define and changes
 * nothing; what they mean stays theirs (cardChecks, gatewayTarget). Keyed by workspace and card id.
 * The ids must be UUIDs (the caller checks them): one that is not fails the statement for all.
 * Each card is looked up through its primary key (the lateral subquery): joined to the keys, the plan
 * cached for any number of them (estimated at ten) read every card of the table through a hash join
 * while it held fewer than a few thousand, 500 rows a call in bench:card-auth. The controls come as
 * `json` rows, found with jsonb's `?` (an element of the account's list): built as `jsonb` objects
 * and matched through a semi-join, they took about 60 µs a card, two thirds of the statement.
 */
export async function factsRows(db: Queryable, keys: { workspaceId: string; cardId: string }[]): Promise<Map<string, FactsRow>> {
  const rows = await db<(FactsRow & { workspace_id: string })[]>`
    select c.workspace_id, c.id, c.account_id, c.card_product_id, c.card_type, c.card_status, c.status_reason, c.expiration_time, c.cvv_encrypted, c.pin_hash,
      ${factsVersion(db)} as facts_version, a.status as account_status, a.access_status as account_access_status,
      coalesce((select json_agg(control order by control.id) from (
          select s.id, s.is_active, s.action_decline, s.amount_limit::text as amount_limit, s.direction, s.merchant_category_codes,
            s.payment_types, s.payment_sub_types, s.window_days
          from spend_controls s
          where s.workspace_id = c.workspace_id and jsonb_typeof(a.fields->'spend_control_ids') = 'array'
            and a.fields->'spend_control_ids' ? s.id::text) as control), '[]'::json) as controls,
      (select jsonb_build_object('url', g.url, 'custom_headers_encrypted', g.custom_headers_encrypted, 'standin', g.standin)
        from card_gateways g where g.workspace_id = c.workspace_id and g.active and c.card_product_id = any(g.card_products)
        order by g.id limit 1) as gateway
    from (select unnest(${plainArray(keys.map((k) => k.workspaceId))}::uuid[]) as w, unnest(${plainArray(keys.map((k) => k.cardId))}::uuid[]) as i) as k
    cross join lateral (${cardByKey(db)}) as c
    left join accounts a on a.workspace_id = c.workspace_id and a.id = c.account_id`
  return new Map(rows.map(({ workspace_id, ...row }) => [`${workspace_id}/${row.id}`, row]))
}

/** The card of key `k` (w, i) through its primary key, with the version of its row (`row_version`). */
function cardByKey(db: Queryable) {
  return db`select c.*, c.xmin::text as row_version from cards c where c.workspace_id = k.w and c.id = k.i offset 0`
}

/**
 * Which versions of the rows a card's facts come from, for card `c` (cardByKey) and account `a`:
 * each row's xmin, the transaction that wrote the version read. An update writes a new version
 * with its own xmin, so the text changes whenever the card, its account, a control the account
 * names (by id, through the primary key) or any gateway of the workspace (one is added, changed
 * or removed) has changed, and a card or account gone gives another text too.
 */
function factsVersion(db: Queryable) {
  return db`concat_ws('/', c.row_version, coalesce(a.xmin::text, ''),
    coalesce((select string_agg(s.id::text || ':' || s.xmin::text, ',' order by s.id)
      from jsonb_array_elements_text(case when jsonb_typeof(a.fields->'spend_control_ids') = 'array' then a.fields->'spend_control_ids' else '[]' end) as x(id)
      join spend_controls s on s.workspace_id = c.workspace_id and s.id = x.id::uuid), ''),
    coalesce((select string_agg(g.id::text || ':' || g.xmin::text, ',' order by g.id) from card_gateways g where g.workspace_id = c.workspace_id), ''))`
}

/** A card's facts as a process kept them: the card, and the version they were read from (FactsRow.facts_version). */
export interface FactsKept { workspaceId: string; cardId: string; version: string }

/**
 * The positions (from 0) of the cards whose facts are no longer the versions kept: a card changed,
 * or its account, its account's controls or the workspace's gateways. For a batch's first round trip.
 */
export async function changedFacts(tx: Queryable, kept: FactsKept[]): Promise<number[]> {
  const rows = await tx<{ n: number }[]>`
    select (k.n - 1)::int as n ${factsKeptJoin(tx, kept)} where ${factsVersion(tx)} is distinct from k.v`
  return rows.map((r) => r.n)
}

/** The SQLSTATE with which expectFactsUnchanged fails its transaction. */
const factsChangedCode = 'KF001'

/**
 * changedFacts for a batch decided without reading first: sent with its writes, it fails the
 * transaction (SQLSTATE KF001, migration 1590) unless every card's facts are the versions kept.
 */
export function expectFactsUnchanged(tx: Queryable, kept: FactsKept[]): Unsent {
  return tx`select expect_none(count(*), ${factsChangedCode}, 'cards have changed since their facts were read') ${factsKeptJoin(tx, kept)} where ${factsVersion(tx)} is distinct from k.v`
}

function factsKeptJoin(tx: Queryable, kept: FactsKept[]) {
  return tx`
    from unnest(${plainArray(kept.map((f) => f.workspaceId))}::uuid[], ${plainArray(kept.map((f) => f.cardId))}::uuid[], ${textArray(kept.map((f) => f.version))}::text[]) with ordinality as k(w, i, v, n)
    left join lateral (${cardByKey(tx)}) as c on true
    left join accounts a on a.workspace_id = c.workspace_id and a.id = c.account_id`
}
