// A card's velocity count (its approved originals of the last minute) is summed from its approvals
// by minute (card_velocity_minutes, migration 1560) and the authorizations of the window's first
// minute; a batch decided from memory checks its bounds through card_spend_over, which sums a figure
// exactly only when whole days and minutes do not already show it within its bound. Whatever the
// window's start, the count is the rows' own; the check finds over exactly the figures over; and
// neither reads every approval of the minute.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { auditCardSpend } from '../../src/card-authorization/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { rowsScanned, spendSumsQuery, type PlanNode } from './support.js'

let h: Harness
const minuteMs = 60_000
const dayMs = 24 * 60 * minuteMs
// 20 s into a minute, 5 minutes after a UTC midnight.
const now = Date.parse('2031-05-02T00:05:20Z')
before(async () => { h = await startHarness({ clock: { now: () => new Date(now) } }) })
after(async () => { await h.close() })

interface Row {
  workspace_id: string; id: string; card_id: string; account_id: string; type: string; state: string; direction: string
  requested_amount: number; amount: number; net_amount: number; currency: string; network: string; original_id: string | null; created_at: string
  mcc?: string
}

function message(w: string, account: string, card: string, at: number, over: Partial<Row> = {}): Row {
  return {
    workspace_id: w, id: randomUUID(), card_id: card, account_id: account, type: 'authorization', state: 'PENDING', direction: 'DEBITS',
    requested_amount: 100, amount: 100, net_amount: 100, currency: 'USD', network: 'CARD', original_id: null, created_at: new Date(at).toISOString(), ...over,
  }
}

async function insert(rows: Row[]): Promise<void> {
  // In slices, several statements: a minute's count grows across statements as well as within one.
  for (let n = 0; n < rows.length; n += 97) {
    await h.sql`insert into card_authorizations select * from jsonb_populate_recordset(null::card_authorizations, ${h.sql.json(rows.slice(n, n + 97) as never)})`
  }
}

/** The card's count since `since`, from card_spend_sums. */
async function velocity(w: string, account: string, card: string, since: number): Promise<number> {
  const queries = [{ i: 0, w, a: account, c: card, since: new Date(since).toISOString(), windows: [] }]
  const [row] = await h.sql<{ n: string }[]>`select debits::text as n from card_spend_sums(${JSON.stringify(queries)}::text::jsonb) where k = -1`
  return Number(row.n)
}

/** The same count, straight from the authorizations. */
async function rowVelocity(w: string, card: string, since: number): Promise<number> {
  const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from card_authorizations
    where workspace_id = ${w} and card_id = ${card} and original_id is null and state <> 'DECLINED' and created_at >= ${new Date(since)}`
  return n
}

/** What `keel ledger check` finds wrong in the card spend kept: minutes and days against the messages. */
const disagreeing = async (): Promise<string[]> => (await auditCardSpend(h.sql)).discrepancies

/** card_spend_over's own query (its text from pg_catalog) with its four arguments as $1–$4: to run under EXPLAIN ANALYZE. */
async function spendOverQuery(): Promise<string> {
  const [{ prosrc }] = await h.sql<{ prosrc: string }[]>`select prosrc from pg_proc where proname = 'card_spend_over'`
  const body = prosrc.replace(/\bqueries\b/g, '$1::text::jsonb').replace(/\bbound_directions\b/g, '($2::text[])')
    .replace(/\bbound_most\b/g, '($3::int8[])').replace(/\bbound_stride\b/g, '$4::int4')
  return `select * from (${body}) as s(i, k)`
}

/** One of everything that must not count, beside what must. */
function noise(w: string, account: string, card: string, at: number): Row[] {
  return [
    message(w, account, card, at, { state: 'DECLINED', net_amount: 0, amount: 0 }),
    message(w, account, card, at, { original_id: randomUUID(), type: 'authorization.incremental' }),
    message(w, randomUUID(), randomUUID(), at),
  ]
}

describe('card velocity by minute', () => {
  it("counts as the card's authorizations do, from any start, and each minute holds what its rows add up to", async () => {
    const [w, account, card] = [h.workspaces.a, randomUUID(), randomUUID()]
    // Approvals spread over the last four minutes (some on a minute's first millisecond), each beside what does not count.
    const times = Array.from({ length: 40 }, (_, n) => now - n * 5_917).concat([now - 60_000, now - 20_000, now - 80_000, now - 80_001])
    await insert(times.flatMap((t) => [message(w, account, card, t), ...noise(w, account, card, t)]))
    // A credit (an original credit) counts toward velocity as the rows count it.
    await insert([message(w, account, card, now - 1_000, { direction: 'CREDITS', type: 'original.credit', state: 'COMPLETION' })])
    const starts = [now - minuteMs, now - 20_000, now - 20_001, now - 19_999, now - 80_000, now - 80_001, now - 5 * minuteMs, now, now + 1, now - 45_123]
    for (const since of starts) {
      assert.equal(await velocity(w, account, card, since), await rowVelocity(w, card, since), `since ${new Date(since).toISOString()}`)
    }
    assert.deepEqual(await disagreeing(), [])
  })

  it("reads the card's minutes, and the authorizations of the first minute only, however often the card was used", async () => {
    const [w, account, card] = [h.workspaces.a, randomUUID(), randomUUID()]
    // 600 approvals over the last two minutes, ten a second: the velocity window holds 600 of them.
    const rows = Array.from({ length: 1_200 }, (_, n) => message(w, account, card, now - 50 - n * 100))
    // Other cards' approvals beside it, over the last few hours, as in any workspace with more than one cardholder.
    const neighbours = Array.from({ length: 300 }, () => [randomUUID(), randomUUID()])
      .flatMap(([a, c]) => Array.from({ length: 10 }, (_, n) => message(w, a, c, now - n * 17 * minuteMs)))
    await insert([...rows, ...neighbours])
    const since = now - minuteMs
    const firstMinuteEnd = Math.ceil(since / minuteMs) * minuteMs
    const readable = rows.filter((r) => Date.parse(r.created_at) >= since && Date.parse(r.created_at) < firstMinuteEnd).length
    assert.equal(readable, 400)
    const queries = JSON.stringify([{ i: 0, w, a: account, c: card, since: new Date(since).toISOString(), windows: [] }])
    const query = await spendSumsQuery(h)
    for (const when of ['without statistics', 'after analyze']) {
      if (when === 'after analyze') await h.sql`analyze card_authorizations, card_velocity_minutes`
      const [{ 'QUERY PLAN': [plan] }] = await h.sql.unsafe(`explain (analyze, format json) ${query}`, [queries])
      const scans = rowsScanned(plan.Plan as PlanNode)
      const read = (table: string) => Math.round((scans[table]?.kept ?? 0) + (scans[table]?.removed ?? 0))
      assert.ok(read('card_authorizations') <= readable, `${when}: read ${read('card_authorizations')} authorizations, for ${readable} at most`)
      assert.ok(read('card_velocity_minutes') <= 2, `${when}: read ${read('card_velocity_minutes')} minutes`)
      assert.equal(await velocity(w, account, card, since), 600)
    }
  })

  it('finds over its bound exactly the figures that are, and reads no authorization when days and minutes show the rest within', async () => {
    const [w, account, card] = [h.workspaces.a, randomUUID(), randomUUID()]
    const windowStart = now - 3 * dayMs + 7 * 3_600_000 // seven hours into its first day
    const rows = [
      // Spend on the window's first day, before and after its start, and on the days since.
      ...Array.from({ length: 12 }, (_, n) => message(w, account, card, windowStart - 6 * 3_600_000 + n * 3_600_000, { net_amount: 1_000 + n })),
      ...Array.from({ length: 30 }, (_, n) => message(w, account, card, windowStart + dayMs + n * 3_000_000, { net_amount: 500 })),
      // Credits, in the other direction's column, either side of the start.
      ...Array.from({ length: 8 }, (_, n) => message(w, account, card, windowStart + (n - 3) * 60_000, { direction: 'CREDITS', type: 'original.credit', state: 'COMPLETION', net_amount: 70 })),
      // The card's approvals around the velocity window's start.
      ...Array.from({ length: 50 }, (_, n) => message(w, account, card, now - 90_000 + n * 1_500, { net_amount: 1 })),
      ...noise(w, account, card, now - 30_000),
    ]
    await insert(rows)
    const since = now - minuteMs
    const figures = async (direction: 'DEBITS' | 'CREDITS') => {
      const queries = [{ i: 0, w, a: account, c: card, since: new Date(since).toISOString(), windows: [new Date(windowStart).toISOString()] }]
      const sums = await h.sql<{ k: number; debits: string; credits: string }[]>`select k, debits::text, credits::text from card_spend_sums(${JSON.stringify(queries)}::text::jsonb)`
      const exact = { count: Number(sums.find((s) => s.k === -1)!.debits), window: BigInt(sums.find((s) => s.k === 0)![direction === 'CREDITS' ? 'credits' : 'debits']) }
      // What whole days and minutes say: the first day and minute counted whole.
      const [upper] = await h.sql<{ count: number; window: string }[]>`select
        (select coalesce(sum(approvals), 0)::int from card_velocity_minutes where workspace_id = ${w} and card_id = ${card} and minute >= date_trunc('minute', ${new Date(since)}::timestamptz at time zone 'UTC')) as count,
        (select coalesce(sum(case when ${direction} = 'CREDITS' then credits else debits end), 0)::text from card_spend_days where workspace_id = ${w} and account_id = ${account} and day >= (${new Date(windowStart)}::timestamptz at time zone 'UTC')::date) as window`
      return { queries, exact, upper: { count: upper.count, window: BigInt(upper.window) } }
    }
    const over = (queries: unknown, direction: string, count: number | null, window: bigint | null, stride = 2) =>
      h.sql<{ i: number; k: number }[]>`select i, k from card_spend_over(${JSON.stringify(queries)}::text::jsonb, ${[direction]}::text[], ${[count === null ? null : String(count), window === null ? null : String(window), ...Array(stride - 2).fill(null)]}::int8[], ${stride}::int4) order by k`

    for (const direction of ['DEBITS', 'CREDITS'] as const) {
      const { queries, exact, upper } = await figures(direction)
      // The partial first day and minute are what make the two differ: the bounds between them are the ones only an exact sum decides.
      assert.ok(upper.count > exact.count && upper.window > exact.window, `${direction}: the upper figures (${upper.count}, ${upper.window}) exceed the exact (${exact.count}, ${exact.window})`)
      for (const count of [exact.count - 1, exact.count, exact.count + 1, upper.count - 1, upper.count, null]) {
        for (const window of [exact.window - 1n, exact.window, exact.window + 1n, upper.window - 1n, upper.window, null]) {
          const expected = [...(count !== null && exact.count > count ? [-1] : []), ...(window !== null && exact.window > window ? [0] : [])]
          assert.deepEqual((await over(queries, direction, count, window)).map((r) => r.k), expected, `${direction}, count at most ${count}, window at most ${window}`)
        }
      }
      // A stride wider than the message's windows (another message of the batch had more): the same.
      assert.deepEqual((await over(queries, direction, exact.count - 1, exact.window, 4)).map((r) => r.k), [-1])

      const query = await spendOverQuery()
      const read = async (count: number, window: bigint) => {
        const [{ 'QUERY PLAN': [plan] }] = await h.sql.unsafe(`explain (analyze, format json) ${query}`, [JSON.stringify(queries), [direction], [String(count), String(window)], 2])
        return Math.round(rowsScanned(plan.Plan as PlanNode).card_authorizations?.kept ?? 0)
      }
      assert.equal(await read(upper.count, upper.window), 0, `${direction}: within by days and minutes, no authorization is read`)
      assert.ok(await read(upper.count - 1, upper.window - 1n) > 0, `${direction}: a bound the days and minutes do not show within is summed exactly`)
    }
  })

  it('finds a window that lists MCCs over its bound exactly, from its days by MCC and its first day, and reads none of its other messages', async () => {
    const [w, account, card] = [h.workspaces.a, randomUUID(), randomUUID()]
    const windowStart = now - 3 * dayMs + 7 * 3_600_000 // seven hours into its first day
    const mcc = (n: number) => ['5411', '5541', '5812'][n % 3]
    const rows = [
      // Groceries, fuel and dinners by turns: on the window's first day, before and after its start, and on the days since.
      ...Array.from({ length: 12 }, (_, n) => message(w, account, card, windowStart - 6 * 3_600_000 + n * 3_600_000, { net_amount: 1_000 + n, mcc: mcc(n) })),
      ...Array.from({ length: 60 }, (_, n) => message(w, account, card, windowStart + dayMs + n * 1_500_000, { net_amount: 500 + n, mcc: mcc(n) })),
      // A refund at the grocer, in the other direction.
      message(w, account, card, windowStart + 2 * dayMs, { direction: 'CREDITS', type: 'original.credit', state: 'COMPLETION', net_amount: 70, mcc: '5411' }),
    ]
    // The account as one that names a window listing MCCs would be (card_spend_kinds_refresh): its spend is kept by kind too.
    await h.sql`insert into card_spend_kinds_kept (workspace_id, account_id) values (${w}, ${account})`
    await insert(rows)
    const groceries = { m: '{[5411,5411]}', t: [] }
    const counted = rows.filter((r) => r.mcc === '5411' && r.direction === 'DEBITS' && Date.parse(r.created_at) >= windowStart)
    const exact = BigInt(counted.reduce((a, r) => a + r.net_amount, 0))
    const everything = BigInt(rows.filter((r) => r.direction === 'DEBITS' && Date.parse(r.created_at) >= windowStart).reduce((a, r) => a + r.net_amount, 0))
    const queries = [{ i: 0, w, a: account, c: card, at: new Date(now).toISOString(), since: new Date(now - minuteMs).toISOString(), windows: [new Date(windowStart).toISOString()], cards: [groceries] }]
    const [sums] = await h.sql<{ debits: string }[]>`select debits::text from card_spend_sums(${JSON.stringify(queries)}::text::jsonb) where k = 0`
    assert.equal(BigInt(sums.debits), exact)

    const over = (window: bigint) =>
      h.sql<{ k: number }[]>`select k from card_spend_over(${JSON.stringify(queries)}::text::jsonb, ${['DEBITS']}::text[], ${[null, String(window)]}::int8[], 2::int4)`
    for (const window of [exact - 1n, exact, exact + 1n, everything - 1n, everything]) {
      assert.deepEqual((await over(window)).map((r) => r.k), exact > window ? [0] : [], `window at most ${window}`)
    }

    const query = await spendOverQuery()
    const firstDayEnd = (Math.floor(windowStart / dayMs) + 1) * dayMs
    const firstDay = rows.filter((r) => Date.parse(r.created_at) >= windowStart && Date.parse(r.created_at) < firstDayEnd).length
    for (const when of ['without statistics', 'after analyze']) {
      if (when === 'after analyze') await h.sql`analyze card_authorizations, card_spend_days, card_spend_kinds`
      const [{ 'QUERY PLAN': [plan] }] = await h.sql.unsafe(`explain (analyze, format json) ${query}`, [JSON.stringify(queries), ['DEBITS'], [null, String(exact - 1n)], 2])
      const scans = rowsScanned(plan.Plan as PlanNode)
      const read = (table: string) => Math.round((scans[table]?.kept ?? 0) + (scans[table]?.removed ?? 0))
      assert.ok(read('card_authorizations') <= firstDay, `${when}: read ${read('card_authorizations')} authorizations, for the ${firstDay} of its first day from its start at most`)
      assert.ok(read('card_spend_kinds') > 0 && read('card_spend_kinds') <= 3 * 3, `${when}: read ${read('card_spend_kinds')} days by MCC`)
    }
  })
})
