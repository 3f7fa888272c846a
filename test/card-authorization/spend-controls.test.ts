// Spend controls: the four operations, and each kind of control deciding a card authorization
// once attached to the card's account through `spend_control_ids`.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { mccRanges, windowCounts, type CardSubType } from '../../src/card-authorization/decide.js'
import { cardsCounted } from '../../src/card-authorization/store.js'
import { startHarness, type Harness } from '../support/harness.js'
import { authorize, booksDiscrepancies, fundedCard, merchant, simulate, spendControl, stateOf } from './support.js'

let h: Harness
let now = Date.parse('2031-05-01T12:00:00Z')
const clock = { now: () => new Date(now) }
before(async () => { h = await startHarness({ clock }) })
after(async () => {
  assert.deepEqual(await booksDiscrepancies(h), [])
  await h.close()
})
const dayMs = 24 * 60 * 60 * 1000

describe('the spend control resource', () => {
  it('creates, reads, updates and lists; number_of_related_accounts counts the accounts naming it', async () => {
    const sc = await spendControl(h, { name: 'groceries', amount_limit: 5_000, merchant_category_codes: ['5411', '5811-5814'], direction: 'DEBITS', payment_types: ['CARD'] })
    assert.equal(sc.number_of_related_accounts, 0)
    assert.deepEqual(sc.time_range, { time_range_type: 'SINGLE_TRANSACTION' })
    await fundedCard(h, 0, { spendControlIds: [sc.id] })
    const got = await h.request('GET', `/v0/spend_controls/${sc.id}`)
    assert.equal(got.status, 200)
    assert.equal(got.body.number_of_related_accounts, 1)
    const patched = await h.request('PATCH', `/v0/spend_controls/${sc.id}`, { body: { amount_limit: 7_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } } })
    assert.equal(patched.status, 200, JSON.stringify(patched.body))
    assert.equal(patched.body.amount_limit, 7_000)
    assert.deepEqual(patched.body.time_range, { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 })
    assert.equal(patched.body.name, 'groceries')
    const other = await spendControl(h, { name: 'atm', amount_limit: 100, is_active: false })
    const list = await h.request('GET', '/v0/spend_controls?sort_by=amount_limit:desc')
    assert.equal(list.status, 200)
    assert.deepEqual(list.body.spend_controls.map((s: any) => s.id), [sc.id, other.id])
    assert.deepEqual((await h.request('GET', '/v0/spend_controls?is_active=false')).body.spend_controls.map((s: any) => s.id), [other.id])
    assert.deepEqual((await h.request('GET', '/v0/spend_controls?num_related_accounts_gte=1')).body.spend_controls.map((s: any) => s.id), [sc.id])
    assert.deepEqual((await h.request('GET', '/v0/spend_controls?amount_limit_lte=100')).body.spend_controls.map((s: any) => s.id), [other.id])
    const page1 = await h.request('GET', '/v0/spend_controls?limit=1')
    assert.equal(page1.body.spend_controls.length, 1)
    const page2 = await h.request('GET', `/v0/spend_controls?limit=1&page_token=${page1.body.next_page_token}`)
    assert.equal(page2.body.spend_controls.length, 1)
    assert.notEqual(page2.body.spend_controls[0].id, page1.body.spend_controls[0].id)
    assert.equal(page2.body.next_page_token, undefined)
  })

  it('refuses bad input cleanly and keeps workspaces apart', async () => {
    const base = { name: 'x', is_active: true, action_case: false, action_decline: true, amount_limit: 1, time_range: { time_range_type: 'SINGLE_TRANSACTION' } }
    const bad = [
      { ...base, amount_limit: -1 },
      { ...base, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS' } },
      { ...base, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 40 } },
      { ...base, merchant_category_codes: ['54'] },
      { ...base, merchant_category_codes: ['5999-5000'] },
      { name: 'x' },
    ]
    for (const body of bad) assert.equal((await h.request('POST', '/v0/spend_controls', { body })).status, 400, JSON.stringify(body))
    const sc = await spendControl(h, { amount_limit: 1 })
    assert.equal((await h.request('GET', `/v0/spend_controls/${sc.id}`, { key: h.keys.b })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/spend_controls/${sc.id}`, { key: h.keys.b, body: { name: 'y' } })).status, 404)
    assert.equal((await h.request('PATCH', `/v0/spend_controls/${sc.id}`, { body: { nope: 1 } })).status, 400)
  })
})

describe('spend controls deciding authorizations', () => {
  it('amount per transaction', async () => {
    const sc = await spendControl(h, { amount_limit: 1_000 })
    const { card } = await fundedCard(h, 10_000, { spendControlIds: [sc.id] })
    assert.equal((await authorize(h, card.id, 1_000)).body.transaction.state, 'PENDING')
    assert.equal((await authorize(h, card.id, 1_001)).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
  })

  it('a rolling window of N days counts what approvals spent, and frees up as the window moves', async () => {
    const sc = await spendControl(h, { amount_limit: 1_000, time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 2 } })
    const { card } = await fundedCard(h, 10_000, { spendControlIds: [sc.id] })
    const first = (await authorize(h, card.id, 600)).body.transaction
    assert.equal(first.state, 'PENDING')
    assert.equal((await authorize(h, card.id, 500)).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
    // A reversal gives the window its room back.
    await simulate(h, 'reversal', { original_transaction_id: first.token, amount: 200 })
    assert.equal((await authorize(h, card.id, 500)).body.transaction.state, 'PENDING')
    assert.equal((await authorize(h, card.id, 300, { card_acceptor: { ...merchant, partial_approval_capable: true } })).body.transaction.amount, 100)
    now += 2 * dayMs + 1
    assert.equal((await authorize(h, card.id, 1_000)).body.transaction.state, 'PENDING')
  })

  it('MCC block list and range', async () => {
    const sc = await spendControl(h, { amount_limit: 0, merchant_category_codes: ['7995', '5811-5814'] })
    const { card } = await fundedCard(h, 10_000, { spendControlIds: [sc.id] })
    assert.equal((await authorize(h, card.id, 10, { card_acceptor: { ...merchant, mcc: '7995' } })).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
    assert.equal((await authorize(h, card.id, 10, { card_acceptor: { ...merchant, mcc: '5812' } })).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
    assert.equal((await authorize(h, card.id, 10, { card_acceptor: { ...merchant, mcc: '5815' } })).body.transaction.state, 'PENDING')
  })

  it('direction: a CREDITS control limits original credits, not purchases', async () => {
    const sc = await spendControl(h, { amount_limit: 100, direction: 'CREDITS' })
    const { card } = await fundedCard(h, 10_000, { spendControlIds: [sc.id] })
    assert.equal((await authorize(h, card.id, 500)).body.transaction.state, 'PENDING')
    const oct = await simulate(h, 'financial/original_credit', { card_id: card.id, amount: 500, mid: 'M', type: 'person_to_person' })
    assert.equal(oct.body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
  })

  it('an ATM withdrawal control governs withdrawals only; an inactive control nothing', async () => {
    const atm = await spendControl(h, { amount_limit: 2_000, payment_sub_types: ['CARD.ATM_WITHDRAWAL'] })
    const off = await spendControl(h, { amount_limit: 0, is_active: false })
    const { card } = await fundedCard(h, 10_000, { spendControlIds: [atm.id, off.id] })
    assert.equal((await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 2_500, mid: 'ATM' })).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
    assert.equal((await simulate(h, 'financial/withdrawal', { card_id: card.id, amount: 2_000, mid: 'ATM' })).body.transaction.state, 'COMPLETION')
    assert.equal((await authorize(h, card.id, 5_000)).body.transaction.state, 'PENDING')
    // Turning the control on takes effect at once.
    assert.equal((await h.request('PATCH', `/v0/spend_controls/${off.id}`, { body: { is_active: true } })).status, 200)
    assert.equal((await authorize(h, card.id, 1)).body.transaction.decline_reason, 'SPEND_CONTROL_VIOLATION')
  })

  it('a rolling window for some MCCs counts the purchases at them only, whatever else the card spends', async () => {
    const groceries = await spendControl(h, { amount_limit: 1_000, merchant_category_codes: ['5411', '5811-5814'], time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const { card } = await fundedCard(h, 20_000, { spendControlIds: [groceries.id] })
    const at = (mcc: string) => ({ card_acceptor: { ...merchant, mcc } })
    assert.equal(stateOf(await authorize(h, card.id, 5_000, at('5541'))), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 600, at('5411'))), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 300, at('5812'))), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 200, at('5411'))), 'DECLINED SPEND_CONTROL_VIOLATION')
    assert.equal(stateOf(await authorize(h, card.id, 3_000, at('5999'))), 'PENDING')
    assert.equal(stateOf(await authorize(h, card.id, 100, at('5814'))), 'PENDING')
    // A partial approval is cut to what the listed purchases left of the window: 1,000 − 1,000 = none.
    assert.equal(stateOf(await authorize(h, card.id, 50, { card_acceptor: { ...merchant, mcc: '5411', partial_approval_capable: true } })), 'DECLINED SPEND_CONTROL_VIOLATION')
  })

  it('an ATM window counts withdrawals only, and purchases do not fill it', async () => {
    const atm = await spendControl(h, { amount_limit: 1_000, payment_sub_types: ['CARD.ATM_WITHDRAWAL'], time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 1 } })
    const { card } = await fundedCard(h, 20_000, { spendControlIds: [atm.id] })
    const withdraw = (amount: number) => simulate(h, 'financial/withdrawal', { card_id: card.id, amount, mid: 'ATM' })
    assert.equal(stateOf(await withdraw(600)), 'COMPLETION')
    assert.equal(stateOf(await authorize(h, card.id, 5_000)), 'PENDING')
    assert.equal(stateOf(await withdraw(400)), 'COMPLETION')
    assert.equal(stateOf(await withdraw(1)), 'DECLINED SPEND_CONTROL_VIOLATION')
    assert.equal(stateOf(await authorize(h, card.id, 5_000)), 'PENDING')
  })

  it('messages at once, in one batch or several: each window counts the earlier ones it lists', async () => {
    const groceries = await spendControl(h, { amount_limit: 1_000, merchant_category_codes: ['5411'], time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const { card } = await fundedCard(h, 50_000, { spendControlIds: [groceries.id] })
    // Known to the process first, so that the messages below may go decided from memory too.
    assert.equal(stateOf(await authorize(h, card.id, 1, { card_acceptor: { ...merchant, mcc: '5999' } })), 'PENDING')
    const fuel = () => authorize(h, card.id, 2_000, { card_acceptor: { ...merchant, mcc: '5541' } })
    const grocery = () => authorize(h, card.id, 300, { card_acceptor: { ...merchant, mcc: '5411' } })
    const states = (await Promise.all([fuel(), grocery(), fuel(), grocery(), grocery(), fuel(), grocery(), grocery()])).map(stateOf)
    assert.deepEqual(states.filter((s, n) => [0, 2, 5].includes(n)), ['PENDING', 'PENDING', 'PENDING'])
    const groceryStates = states.filter((s, n) => ![0, 2, 5].includes(n))
    assert.equal(groceryStates.filter((s) => s === 'PENDING').length, 3, groceryStates.join(', '))
    assert.equal(groceryStates.filter((s) => s === 'DECLINED SPEND_CONTROL_VIOLATION').length, 2, groceryStates.join(', '))
  })
})

describe('a window that lists MCCs, under bursts', () => {
  it('never lets the listed purchases pass it, declines only what the room left could not hold, and lets the others through', async () => {
    const limit = 3_000
    const listed = ['5411', '5812']
    const sc = await spendControl(h, { amount_limit: limit, merchant_category_codes: ['5411', '5811-5814'], time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days: 7 } })
    const { card } = await fundedCard(h, 1_000_000, { spendControlIds: [sc.id] })
    let state = 20261207
    const next = (n: number) => { state = (state * 1103515245 + 12345) % 2 ** 31; return state % n }
    const sent: { mcc: string; amount: number; state: string }[] = []
    for (let round = 0; round < 6; round++) {
      const burst = Array.from({ length: 12 }, () => ({ mcc: ['5411', '5812', '5541', '5999'][next(4)], amount: 50 + next(650) }))
      const answers = await Promise.all(burst.map((m) => authorize(h, card.id, m.amount, { card_acceptor: { ...merchant, mcc: m.mcc } })))
      answers.forEach((res, i) => sent.push({ ...burst[i], state: stateOf(res) }))
    }
    const spent = sent.filter((m) => listed.includes(m.mcc) && m.state === 'PENDING').reduce((sum, m) => sum + m.amount, 0)
    assert.ok(spent <= limit, `the listed purchases approved spent ${spent} of ${limit}`)
    for (const m of sent) {
      if (!listed.includes(m.mcc)) assert.equal(m.state, 'PENDING', `an unlisted purchase at ${m.mcc}`)
      else if (m.state !== 'PENDING') {
        assert.equal(m.state, 'DECLINED SPEND_CONTROL_VIOLATION')
        assert.ok(m.amount > limit - spent, `${m.amount} declined with ${limit - spent} left in the window`)
      }
    }
    assert.ok(sent.some((m) => m.state !== 'PENDING'), 'the window filled')
  })
})

describe('what a window counts of the card messages', () => {
  it('is one rule in the engine (windowCounts) and in PostgreSQL (card_message_counted)', async () => {
    const lists: [string[], string[]][] = [
      [['5411'], []], [['5811-5814', '7995'], []], [['0742'], []], [[], ['CARD.ATM_WITHDRAWAL']], [['5411'], ['CARD.POS_CASHBACK']], [['6011'], ['CARD.ATM_WITHDRAWAL', 'CARD.POS_CASHBACK']],
    ]
    const messages: [string | null, CardSubType | null][] = [
      ['5411', null], ['5411', 'CARD.POS_CASHBACK'], ['5810', null], ['5811', null], ['5814', null], ['5815', null], ['7995', null], ['742', null], ['0742', null],
      ['6011', 'CARD.ATM_WITHDRAWAL'], ['6011', null], [null, null], [null, 'CARD.ATM_WITHDRAWAL'], ['54x1', null], ['', null], ['05411', null],
    ]
    let counted = 0
    for (const [mccs, subTypes] of lists) {
      const control = { merchantCategoryCodes: mccs, paymentSubTypes: subTypes }
      const argument = JSON.stringify(cardsCounted({ mccs: mccRanges(mccs), subTypes }))
      for (const [mcc, subType] of messages) {
        const [{ yes }] = await h.sql<{ yes: boolean }[]>`select card_message_counted(${mcc}, ${subType}, ${argument}::text::jsonb) as yes`
        const expected = windowCounts(control, { mcc, subType })
        assert.equal(yes, expected, `${JSON.stringify(control)} and ${mcc}/${subType}`)
        if (expected) counted++
      }
    }
    assert.equal(counted, 12)
  })
})
