// Rolling spend-control windows are summed from each account's spend by day (card_spend_days,
// migration 1510; by MCC and sub-type too, card_spend_kinds, migration 1710, for a window that lists
// what it counts) and the authorizations of the window's first day. Whatever happens to the
// authorizations (approvals, increments, advices, clearings short and over, reversals, refunds,
// declines) and whenever a window starts (mid-day, on a midnight, before the first spend), the sums
// are those of the rows themselves, and each day holds what its rows add up to.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import type { Fragment } from 'postgres'
import { auditCardSpend } from '../../src/card-authorization/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, fundedCard, merchant, rowsScanned, simulate, spendControl, spendSumsQuery, type PlanNode } from './support.js'

let h: Harness
const hourMs = 3_600_000
const dayMs = 24 * hourMs
// Ten minutes before a UTC midnight: the sequence crosses several.
let now = Date.parse('2031-03-01T23:50:00Z')
const clock = { now: () => new Date(now) }
before(async () => { h = await startHarness({ clock }) })
after(async () => { await h.close() })

interface Sums { debits: string; credits: string }

/**
 * What a window that lists MCCs or sub-types counts: as card_spend_sums takes it (`cards`, the shape
 * of cardsCounted in src/card-authorization/store.ts), and the same written out as a condition on
 * the authorizations' rows.
 */
interface Listing { name: string; cards: { m: string | null; t: string[] }; rows: () => Fragment }
const listings: Listing[] = [
  { name: 'groceries and restaurants', cards: { m: '{[5411,5411],[5811,5814]}', t: [] }, rows: () => h.sql`and (mcc = '5411' or mcc in ('5811', '5812', '5813', '5814'))` },
  { name: 'ATM withdrawals', cards: { m: null, t: ['CARD.ATM_WITHDRAWAL'] }, rows: () => h.sql`and sub_type = 'CARD.ATM_WITHDRAWAL'` },
  { name: 'cash back at groceries', cards: { m: '{[5411,5411]}', t: ['CARD.POS_CASHBACK'] }, rows: () => h.sql`and mcc = '5411' and sub_type = 'CARD.POS_CASHBACK'` },
]

/** card_spend_sums for windows starting at each of `starts`, in order, each counting what `cards` lists (every message without). */
async function windowSums(accountId: string, cardId: string, starts: Date[], cards?: Listing['cards']): Promise<Sums[]> {
  const queries = [{
    i: 0, w: h.workspaces.a, a: accountId, c: cardId, at: new Date(now).toISOString(), since: new Date(now).toISOString(), windows: starts.map((s) => s.toISOString()),
    ...(cards ? { cards: starts.map(() => cards) } : {}),
  }]
  const rows = await h.sql<{ k: number; debits: string; credits: string }[]>`
    select k, debits::text, credits::text from card_spend_sums(${JSON.stringify(queries)}::text::jsonb) where k >= 0 order by k`
  return rows.map(({ debits, credits }) => ({ debits, credits }))
}

/** The same sums, straight from the authorizations (those `listed` picks out, when given). */
async function rowSums(accountId: string, starts: Date[], listed?: Listing): Promise<Sums[]> {
  const out: Sums[] = []
  for (const start of starts) {
    const [row] = await h.sql<Sums[]>`
      select coalesce(sum(net_amount) filter (where direction = 'DEBITS'), 0)::text as debits,
        coalesce(sum(net_amount) filter (where direction = 'CREDITS'), 0)::text as credits
      from card_authorizations
      where workspace_id = ${h.workspaces.a} and account_id = ${accountId} and original_id is null and state <> 'DECLINED' and created_at >= ${start}
        ${listed ? listed.rows() : h.sql``}`
    out.push(row)
  }
  return out
}

/** What `keel ledger check` finds wrong in the card spend kept: days, minutes, the accounts kept by kind and their kinds, against the messages. */
const disagreeing = async (): Promise<string[]> => (await auditCardSpend(h.sql)).discrepancies

describe('card spend by day', () => {
  it('sums every window as the authorizations themselves add up, through every kind of message and several midnights', async () => {
    // Windows that list what they count, with room for everything below: the account's spend is kept by kind too.
    const windows = await Promise.all([{ merchant_category_codes: ['5411', '5811-5814'] }, { payment_sub_types: ['CARD.ATM_WITHDRAWAL', 'CARD.POS_CASHBACK'] }]
      .map((lists) => spendControl(h, { amount_limit: 100_000_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 31 }, ...lists })))
    const { card, account } = await fundedCard(h, 1_000_000, { spendControlIds: windows.map((c) => c.id) })
    const step = async (what: string, act: () => Promise<unknown>) => {
      await act()
      const t = now
      const midnight = Math.floor(t / dayMs) * dayMs
      const starts = [t - 30 * 60_000, t - 3 * hourMs, midnight, midnight - 1, midnight - dayMs, t - dayMs, t - 2.5 * dayMs, t - 31 * dayMs].map((ms) => new Date(ms))
      assert.deepEqual(await windowSums(account.id, card.id, starts), await rowSums(account.id, starts), `window sums after ${what}`)
      for (const listed of listings) {
        assert.deepEqual(await windowSums(account.id, card.id, starts, listed.cards), await rowSums(account.id, starts, listed), `${listed.name}: window sums after ${what}`)
      }
      assert.deepEqual(await disagreeing(), [], `kept spend after ${what}`)
    }
    const approved = async (amount: number, extra: Record<string, unknown> = {}) => {
      const res = await authorize(h, card.id, amount, extra)
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(res.body.transaction.state, 'PENDING')
      return res.body.transaction
    }

    let first: any
    await step('an approval', async () => { first = await approved(1_000) })
    await step('an increment', async () => {
      assert.equal((await authorize(h, card.id, 400, { transaction_options: { transaction_id: first.token } })).status, 201)
    })
    await step('an advice', async () => {
      assert.equal((await simulate(h, 'authorization/advice', { original_transaction_id: first.token, amount: 300 })).status, 201)
    })
    let dinner: any
    await step('an approval at a restaurant', async () => { dinner = await approved(1_200, { card_acceptor: { ...merchant, mcc: '5812' } }) })
    await step('an ATM withdrawal', async () => {
      assert.equal((await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 2_000, mid: 'ATM' })).status, 201)
    })
    now += 20 * 60_000 // past midnight
    await step('a purchase with cash back', async () => { await approved(700, { cash_back_amount: 200 }) })
    await step("a reversal of the first day's dinner", async () => {
      assert.equal((await simulate(h, 'reversal', { original_transaction_id: dinner.token, amount: 200 })).status, 201)
    })
    let second: any
    await step('an approval the next day', async () => { second = await approved(2_000) })
    await step('a short clearing of the first day', async () => {
      assert.equal((await simulate(h, 'clearing', { original_transaction_id: first.token, amount: 500 })).status, 201)
    })
    await step('a partial reversal', async () => {
      assert.equal((await simulate(h, 'reversal', { original_transaction_id: second.token, amount: 700 })).status, 201)
    })
    now += 5 * hourMs
    let third: any
    await step('a third approval', async () => { third = await approved(800) })
    await step('an over-clearing', async () => {
      assert.equal((await simulate(h, 'clearing', { original_transaction_id: third.token, amount: 1_100 })).status, 201)
    })
    await step('a refund', async () => {
      assert.equal((await simulate(h, 'clearing', { original_transaction_id: second.token, amount: 250, is_refund: true })).status, 201)
    })
    await step('a decline', async () => {
      assert.equal((await authorize(h, card.id, 5_000_000)).body.transaction.state, 'DECLINED')
    })
    await step('a PIN debit', async () => {
      assert.equal((await simulate(h, 'financial', { card_id: card.id, amount: 150, mid: 'M', card_acceptor: { mcc: '5411' } })).status, 201)
    })
    now += 2 * dayMs
    await step('an approval two days on', async () => { await approved(90) })
    await step('an approval for fuel', async () => { await approved(3_000, { card_acceptor: { ...merchant, mcc: '5541' } }) })
    await step('the rest of a reversal', async () => {
      assert.equal((await simulate(h, 'reversal', { original_transaction_id: second.token, amount: 5_000 })).status, 201)
    })
    const [{ days }] = await h.sql<{ days: number }[]>`select count(*)::int as days from card_spend_days where account_id = ${account.id}`
    assert.ok(days >= 3, `spend on ${days} days`)
    const kinds = await h.sql<{ mcc: string; sub_type: string }[]>`select distinct mcc, sub_type from card_spend_kinds where account_id = ${account.id} order by 1, 2`
    assert.deepEqual(kinds.map((k) => `${k.mcc}/${k.sub_type}`), ['/CARD.ATM_WITHDRAWAL', '5411/', '5411/CARD.POS_CASHBACK', '5541/', '5812/'])
  })

  it("reads a window's days, and the authorizations of its first day only, however much the account spent in it, and so does a window that lists MCCs", async () => {
    const [w, account, card] = [h.workspaces.a, randomUUID(), randomUUID()]
    const start = now - 31 * dayMs + 6 * hourMs // six hours into its first day
    const mccs = ['5411', '5541']
    const row = (at: number, net: number, n: number) => ({
      workspace_id: w, id: randomUUID(), card_id: card, account_id: account, type: 'authorization', state: 'PENDING', direction: 'DEBITS',
      requested_amount: net, amount: net, net_amount: net, currency: 'USD', network: 'CARD', created_at: new Date(at).toISOString(), mcc: mccs[n % 2],
    })
    // 20 a day for 30 days after the first; 8 on the first day, 5 of them from the window's start on; 3 in the last minute. Groceries and fuel by turns.
    const rows = [
      ...Array.from({ length: 30 * 20 }, (_, n) => row(start + (1 + Math.floor(n / 20)) * dayMs - (n % 20) * 60_000 - hourMs * 8, 100 + (n % 2), n)),
      ...Array.from({ length: 8 }, (_, n) => row(start - 3 * hourMs + n * hourMs, 10 + (n % 2), n)),
      ...Array.from({ length: 3 }, (_, n) => row(now - 10_000 - n * 1_000, 1, n)),
    ]
    // Other accounts' spend beside it, as in any workspace with more than one cardholder.
    const others = Array.from({ length: 300 }, () => [randomUUID(), randomUUID()])
    const neighbours = others.flatMap(([a, c]) => Array.from({ length: 10 }, (_, n) => ({ ...row(now - n * hourMs, 50, n), account_id: a, card_id: c })))
    // The account as one that names a window listing MCCs would be (card_spend_kinds_refresh): its spend is kept by kind too.
    await h.sql`insert into card_spend_kinds_kept (workspace_id, account_id) values (${w}, ${account})`
    for (const batch of [rows, neighbours]) await h.sql`insert into card_authorizations select * from jsonb_populate_recordset(null::card_authorizations, ${h.sql.json(batch as never)})`
    const inWindow = rows.filter((r) => Date.parse(r.created_at) >= start)
    const firstDayEnd = (Math.floor(start / dayMs) + 1) * dayMs
    const readable = inWindow.filter((r) => Date.parse(r.created_at) < firstDayEnd).length + 3
    assert.equal(readable, 5 + 3)
    const [{ kinds }] = await h.sql<{ kinds: number }[]>`select count(*)::int as kinds from card_spend_kinds where workspace_id = ${w} and account_id = any(${others.map(([a]) => a)})`
    assert.equal(kinds, 0, 'the neighbours name no such window: nothing is kept of them by kind')

    const query = await spendSumsQuery(h)
    const windows = [
      { name: 'a window', cards: undefined, counted: inWindow, days: 'card_spend_days', most: 31 },
      { name: 'a window for groceries', cards: listings[0].cards, counted: inWindow.filter((r) => r.mcc === '5411'), days: 'card_spend_kinds', most: 31 * mccs.length },
    ]
    for (const when of ['without statistics', 'after analyze']) {
      if (when === 'after analyze') await h.sql`analyze card_authorizations, card_spend_days, card_spend_kinds`
      for (const window of windows) {
        const queries = JSON.stringify([{
          i: 0, w, a: account, c: card, at: new Date(now).toISOString(), since: new Date(now - 60_000).toISOString(), windows: [new Date(start).toISOString()],
          ...(window.cards ? { cards: [window.cards] } : {}),
        }])
        const sums = await h.sql.unsafe(query, [queries])
        assert.equal(BigInt(sums.find((x) => x.k === 0)!.debits), BigInt(window.counted.reduce((a, r) => a + r.net_amount, 0)), `${when}, ${window.name}: the sum`)
        assert.equal(Number(sums.find((x) => x.k === -1)!.debits), 3, `${when}, ${window.name}: the velocity`)
        const [{ 'QUERY PLAN': [plan] }] = await h.sql.unsafe(`explain (analyze, format json) ${query}`, [queries])
        const scans = rowsScanned(plan.Plan as PlanNode)
        const read = (table: string) => Math.round((scans[table]?.kept ?? 0) + (scans[table]?.removed ?? 0))
        assert.ok(read('card_authorizations') <= readable, `${when}, ${window.name}: read ${read('card_authorizations')} authorizations (${inWindow.length} in the window), for ${readable} at most`)
        assert.ok(read(window.days) > 0 && read(window.days) <= window.most, `${when}, ${window.name}: read ${read(window.days)} rows of ${window.days}`)
      }
    }
    // The account is no account of the API's, kept by kind by hand above: `keel ledger check` names it until it is taken off.
    assert.deepEqual(await disagreeing(), [`account ${account}: card spend kept by kind, but it names no rolling window that lists MCCs or sub-types`])
    await h.sql`delete from card_spend_kinds_kept where workspace_id = ${w} and account_id = ${account}`
    await h.sql`delete from card_spend_kinds where workspace_id = ${w} and account_id = ${account}`
    assert.deepEqual(await disagreeing(), [])
  })

  it("keeps an account's spend by MCC and sub-type while it names a window that lists them, made from its messages when it comes to, and decides such a window over several days from it", async () => {
    const stateOf = (res: { status: number; body: any }) => { assert.equal(res.status, 201, JSON.stringify(res.body)); return res.body.transaction.state }
    const at = (mcc: string) => ({ card_acceptor: { ...merchant, mcc } })
    const window = await spendControl(h, { amount_limit: 1_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const { card, account } = await fundedCard(h, 1_000_000, { spendControlIds: [window.id] })
    const kept = async () => {
      const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from card_spend_kinds_kept where account_id = ${account.id}`
      const [{ kinds }] = await h.sql<{ kinds: number }[]>`select count(*)::int as kinds from card_spend_kinds where account_id = ${account.id}`
      return { kept: n === 1, kinds }
    }
    // A window counting every purchase: nothing kept by kind.
    assert.equal(stateOf(await authorize(h, card.id, 600, at('5411'))), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 300, at('5541'))), 'PENDING')
    assert.deepEqual(await kept(), { kept: false, kinds: 0 })

    // The window comes to list groceries: the account's spend by kind is made from its messages.
    now += dayMs
    assert.equal((await h.request('PATCH', `/v0/spend_controls/${window.id}`, { body: { merchant_category_codes: ['5411'] } })).status, 200)
    assert.deepEqual(await kept(), { kept: true, kinds: 2 })
    assert.deepEqual(await disagreeing(), [])
    // Yesterday's 600.00 of groceries counts, a day whole; the fuel does not.
    assert.equal(stateOf(await authorize(h, card.id, 300, at('5411'))), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 200, at('5411'))), 'DECLINED')
    assert.equal(stateOf(await authorize(h, card.id, 5_000, at('5541'))), 'PENDING')
    now += dayMs
    assert.equal(stateOf(await authorize(h, card.id, 101, at('5411'))), 'DECLINED')
    assert.equal(stateOf(await authorize(h, card.id, 100, at('5411'))), 'PENDING')
    assert.deepEqual(await disagreeing(), [])

    // No longer named: nothing kept. Named again: made again, from every message.
    const patchAccount = (ids: string[]) => h.request('PATCH', `/v0/accounts/${account.id}`, { body: { account_type: account.account_type, spend_control_ids: ids } })
    assert.equal((await patchAccount([])).status, 200)
    assert.deepEqual(await kept(), { kept: false, kinds: 0 })
    assert.equal(stateOf(await authorize(h, card.id, 400, at('5411'))), 'PENDING')
    assert.equal((await patchAccount([window.id])).status, 200)
    assert.deepEqual(await kept(), { kept: true, kinds: 5 })
    assert.deepEqual(await disagreeing(), [])
    assert.equal(stateOf(await authorize(h, card.id, 1, at('5411'))), 'DECLINED')
    // Seven days on from the day before, its groceries and those before it have left the window: 100 + 400 are in it.
    now += 7 * dayMs
    assert.equal(stateOf(await authorize(h, card.id, 501, at('5411'))), 'DECLINED')
    assert.equal(stateOf(await authorize(h, card.id, 500, at('5411'))), 'PENDING')
    assert.deepEqual(await disagreeing(), [])
  })

  it('keeps by kind exactly what the messages add up to, when a window comes to list MCCs or stops while authorizations run', async () => {
    const window = await spendControl(h, { amount_limit: 100_000_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const { card, account } = await fundedCard(h, 10_000_000, { spendControlIds: [window.id] })
    const mccs = ['5411', '5541', '5812', '5999']
    for (let round = 0; round < 6; round++) {
      const listing = round % 2 === 0 ? ['5411', '5811-5814'] : []
      const messages = Array.from({ length: 24 }, (_, n) => authorize(h, card.id, 100 + n, { card_acceptor: { ...merchant, mcc: mccs[n % 4] } }))
      const patched = h.request('PATCH', `/v0/spend_controls/${window.id}`, { body: { merchant_category_codes: listing } })
      const answers = await Promise.all([...messages, patched])
      const control = answers.pop()!
      assert.equal(control.status, 200, JSON.stringify(control.body))
      for (const res of answers) assert.equal(res.status, 201, JSON.stringify(res.body))
      const [{ n }] = await h.sql<{ n: number }[]>`select count(*)::int as n from card_spend_kinds_kept where account_id = ${account.id}`
      assert.equal(n, listing.length > 0 ? 1 : 0, `round ${round}`)
      assert.deepEqual(await disagreeing(), [], `round ${round}`)
    }
  })
})
