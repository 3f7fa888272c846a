// Spend controls govern internal transfers and the ACH credits a fintech originates, not only card
// messages: a control attached to an account through `spend_control_ids` whose payment_types are
// empty, or name INTERNAL_TRANSFER or ACH, refuses a payment that breaks it with 422
// SPEND_CONTROL_VIOLATION, and changes nothing. Decided by the ledger's rules
// (spend_control_violation), on what the account's rolling windows hold, read under its lock.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { auditLedger } from '../../src/ledger/index.js'
import { startHarness, type Harness } from '../support/harness.js'
import { refused } from './support.js'
import { untilLockWaiters } from '../support/locks.js'
import { balances, fundingAccount, openAccount, transfer } from '../support/accounts.js'
import { fundedCard, simulate, spendControl, stateOf } from '../card-authorization/support.js'
import { advanceTo, customer, originate, simulateReturn } from '../ach/support.js'
import { manualBody } from '../external-accounts/support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => {
  assert.deepEqual((await auditLedger(h.sql)).discrepancies, [])
  await h.close()
})

const window = (days: number) => ({ time_range: { time_range_type: 'ROLLING_WINDOW_DAYS', days } })
const attach = async (accountId: string, ids: string[]) => {
  const res = await h.request('PATCH', `/v0/accounts/${accountId}`, { body: { account_type: 'CHECKING', spend_control_ids: ids } })
  assert.equal(res.status, 200, JSON.stringify(res.body))
}
/** An account funded with `funds` from the sandbox funding account. */
const funded = async (funds: number, terms: Record<string, unknown> = {}) => {
  const account = await openAccount(h, terms)
  const res = await transfer(h, { amount: funds, originating_account_id: (await fundingAccount(h)).id, receiving_account_id: account.id })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  return account
}
/** An account funded with `funds`, the funding account, and a spend control made with `control` attached to the account. */
const controlledAccount = async (control: Record<string, unknown>, funds = 10_000) => {
  const account = await funded(funds)
  const sc = await spendControl(h, control)
  await attach(account.id, [sc.id])
  return { account, funding: await fundingAccount(h), sc }
}
const send = (from: string, to: string, amount: number, extra: Record<string, unknown> = {}) =>
  transfer(h, { amount, originating_account_id: from, receiving_account_id: to, ...extra })

describe('spend controls on internal transfers', () => {
  it('refuses a transfer over a per-transaction limit attached after the account was in use', async () => {
    const account = await funded(10_000)
    const funding = await fundingAccount(h)
    // Known to the process first, as it was before the control: the batch from memory finds it changed.
    assert.equal((await send(account.id, funding.id, 900)).status, 200)
    const sc = await spendControl(h, { amount_limit: 500, payment_types: ['INTERNAL_TRANSFER'] })
    await attach(account.id, [sc.id])
    const before = await balances(h, account.id)
    refused(await send(account.id, funding.id, 501))
    refused(await send(account.id, funding.id, 600, { capture_mode: 'MANUAL' }))
    assert.deepEqual(await balances(h, account.id), before, 'nothing moved')
    assert.equal((await send(account.id, funding.id, 500)).status, 200)
    // Money coming in is not spending.
    assert.equal((await send(funding.id, account.id, 5_000)).status, 200)
  })

  it('counts a rolling window on the workspace clock: transfers and held transfers fill it, a canceled hold frees it, time empties it', async () => {
    const { account, funding } = await controlledAccount({ amount_limit: 1_000, ...window(7) })
    assert.equal((await send(account.id, funding.id, 400)).status, 200)
    const held = await send(account.id, funding.id, 400, { capture_mode: 'MANUAL' })
    assert.equal(held.status, 200, JSON.stringify(held.body))
    refused(await send(account.id, funding.id, 201))
    assert.equal((await send(account.id, funding.id, 200)).status, 200)
    refused(await send(account.id, funding.id, 1))
    const canceled = await h.request('PATCH', `/v0/transactions/internal_transfer/${held.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    assert.equal((await send(account.id, funding.id, 400)).status, 200)
    refused(await send(account.id, funding.id, 1))
    const clock = await h.request('GET', '/v0/sandbox/clock')
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 7 * 24 * 3600_000 + 60_000).toISOString())
    assert.equal((await send(account.id, funding.id, 1_000)).status, 200)
    refused(await send(account.id, funding.id, 1))
    assert.deepEqual(await balances(h, account.id), { posted: 10_000 - 2_000, available: 10_000 - 2_000 })
  })

  it('limits money into an account with a control on CREDITS, and leaves the sender alone', async () => {
    const sender = await funded(10_000)
    const sc = await spendControl(h, { amount_limit: 100, direction: 'CREDITS' })
    const receiver = await openAccount(h, { spend_control_ids: [sc.id] })
    refused(await send(sender.id, receiver.id, 150))
    assert.equal((await send(sender.id, receiver.id, 100)).status, 200)
    assert.equal((await send(receiver.id, sender.id, 100)).status, 200)
  })

  it('lets through what a control does not govern: another payment type or sub-type, MCCs, inactive, case-only', async () => {
    const controls = await Promise.all([
      spendControl(h, { amount_limit: 1, payment_types: ['CARD'] }),
      spendControl(h, { amount_limit: 1, payment_types: ['ACH'] }),
      spendControl(h, { amount_limit: 1, payment_sub_types: ['ACH.OUTGOING_CREDIT'] }),
      spendControl(h, { amount_limit: 1, merchant_category_codes: ['5411'] }),
      spendControl(h, { amount_limit: 1, is_active: false }),
      spendControl(h, { amount_limit: 1, action_decline: false, action_case: true }),
    ])
    const account = await funded(10_000)
    await attach(account.id, controls.map((c) => c.id))
    assert.equal((await send(account.id, (await fundingAccount(h)).id, 5_000)).status, 200)
  })

  it('follows a control as it changes: made inactive, active again with a new limit, detached', async () => {
    const { account, funding, sc } = await controlledAccount({ amount_limit: 100 })
    refused(await send(account.id, funding.id, 200))
    const patch = async (body: Record<string, unknown>) => assert.equal((await h.request('PATCH', `/v0/spend_controls/${sc.id}`, { body })).status, 200)
    await patch({ is_active: false })
    assert.equal((await send(account.id, funding.id, 200)).status, 200)
    await patch({ is_active: true, amount_limit: 250 })
    refused(await send(account.id, funding.id, 300))
    assert.equal((await send(account.id, funding.id, 250)).status, 200)
    await attach(account.id, [])
    assert.equal((await send(account.id, funding.id, 300)).status, 200)
  })

  it('never lets concurrent transfers fill a window past its limit', async () => {
    const { account, funding } = await controlledAccount({ amount_limit: 1_000, ...window(1) })
    const results = await Promise.all(Array.from({ length: 24 }, () => send(account.id, funding.id, 100)))
    const codes = results.map((r) => (r.status === 200 ? 'ok' : r.body.code))
    assert.equal(codes.filter((c) => c === 'ok').length, 10, codes.join(' '))
    assert.equal(codes.filter((c) => c === 'SPEND_CONTROL_VIOLATION').length, 14, codes.join(' '))
    assert.deepEqual(await balances(h, account.id), { posted: 9_000, available: 9_000 })
  })
})

describe('spend controls on ACH the fintech originates', () => {
  it('refuses an ACH credit past an ACH window, counting the credits still held for settlement', async () => {
    const c = await customer(h, 10_000)
    const sc = await spendControl(h, { amount_limit: 500, payment_types: ['ACH'], payment_sub_types: ['ACH.OUTGOING_CREDIT'], ...window(3) })
    await attach(c.account.id, [sc.id])
    assert.equal((await originate(h, c, { amount: 300, dc_sign: 'credit' })).status, 201)
    refused(await originate(h, c, { amount: 201, dc_sign: 'credit' }))
    assert.equal((await originate(h, c, { amount: 200, dc_sign: 'credit' })).status, 201)
    // The control names ACH credits out: an internal transfer and an ACH debit (money in) pass.
    assert.equal((await send(c.account.id, (await fundingAccount(h)).id, 1_000)).status, 200)
    assert.equal((await originate(h, c, { amount: 900, dc_sign: 'debit' })).status, 201)
    assert.deepEqual(await balances(h, c.account.id), { posted: 9_000, available: 8_500 })
  })

  it('counts ACH and internal transfers together in a window that names no payment type', async () => {
    const c = await customer(h, 10_000)
    const sc = await spendControl(h, { amount_limit: 1_000, ...window(7) })
    await attach(c.account.id, [sc.id])
    assert.equal((await originate(h, c, { amount: 600, dc_sign: 'credit' })).status, 201)
    refused(await send(c.account.id, (await fundingAccount(h)).id, 401))
    assert.equal((await send(c.account.id, (await fundingAccount(h)).id, 400)).status, 200)
    refused(await originate(h, c, { amount: 1, dc_sign: 'credit' }))
  })

  it('limits ACH debits (money pulled in) with a control on CREDITS, counting debits not yet settled, and after they settle', async () => {
    const c = await customer(h, 0)
    const sc = await spendControl(h, { amount_limit: 1_000, direction: 'CREDITS', payment_types: ['ACH'], payment_sub_types: ['ACH.OUTGOING_DEBIT'], ...window(7) })
    await attach(c.account.id, [sc.id])
    assert.equal((await originate(h, c, { amount: 600, dc_sign: 'debit' })).status, 201)
    refused(await originate(h, c, { amount: 401, dc_sign: 'debit' }))
    // Debits at once: each sees those before it (the account's row is locked first).
    const burst = await Promise.all(Array.from({ length: 5 }, () => originate(h, c, { amount: 100, dc_sign: 'debit' })))
    assert.deepEqual(burst.map((r) => r.status).sort(), [201, 201, 201, 201, 422])
    const clock = await h.request('GET', '/v0/sandbox/clock')
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 4 * 24 * 3600_000).toISOString())
    assert.equal((await balances(h, c.account.id)).posted, 1_000, 'the debits settled')
    refused(await originate(h, c, { amount: 1, dc_sign: 'debit' }))
    // Credits out are not money in.
    assert.equal((await originate(h, c, { amount: 500, dc_sign: 'credit' })).status, 201)
  })
})

describe('ACH debits not yet settled, in every rail\'s window on money in', () => {
  // A person's card account with an external account of theirs: ACH debits pull money in, internal
  // transfers and the card's original credits (OCT) bring it in too, all on one window.
  let accountNumber = 770_000_001
  const cardHolder = async (controls: string[]) => {
    const { card, account, person } = await fundedCard(h, 0, { spendControlIds: controls })
    const external = await h.request('POST', '/v0/external_accounts', {
      body: manualBody({ customer_id: person.id }, {
        account_owner_names: [`${person.first_name} ${person.last_name}`], account_identifiers: { number: String(accountNumber++) }, verification: { vendor: 'MANUAL', status: 'VERIFIED' },
      }),
    })
    assert.equal(external.status, 201, JSON.stringify(external.body))
    return { card, c: { business: person, account, external: external.body } }
  }

  it('counts them in an internal transfer\'s window and a card credit\'s, frees them when canceled, and counts them once settled', async () => {
    const sc = await spendControl(h, { amount_limit: 5_000, direction: 'CREDITS', ...window(7) })
    const { card, c } = await cardHolder([sc.id])
    const funding = await fundingAccount(h)
    const debit = await originate(h, c, { amount: 4_000, dc_sign: 'debit' })
    assert.equal(debit.status, 201, JSON.stringify(debit.body))
    // 4,000 promised of 5,000: a transfer in of 1,001 or a card credit of 1,001 would pass it.
    refused(await send(funding.id, c.account.id, 1_001))
    assert.equal(stateOf(await simulate(h, 'financial/original_credit', { card_id: card.id, amount: 1_001, mid: 'M', type: 'person_to_person' })), 'DECLINED SPEND_CONTROL_VIOLATION')
    assert.equal((await send(funding.id, c.account.id, 600)).status, 200)
    refused(await originate(h, c, { amount: 401, dc_sign: 'debit' }))
    // Canceled before its file is cut, the debit gives its room back.
    const canceled = await h.request('PATCH', `/v0/ach/${debit.body.id}`, { body: { status: 'CANCELED' } })
    assert.equal(canceled.status, 200, JSON.stringify(canceled.body))
    assert.equal(stateOf(await simulate(h, 'financial/original_credit', { card_id: card.id, amount: 3_000, mid: 'M', type: 'person_to_person' })), 'COMPLETION')
    // 3,600 in; a debit of 1,400 fills the window and settles: counted once, as the entry it posted.
    const second = await originate(h, c, { amount: 1_400, dc_sign: 'debit' })
    assert.equal(second.status, 201, JSON.stringify(second.body))
    const clock = await h.request('GET', '/v0/sandbox/clock')
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 4 * 24 * 3600_000).toISOString())
    assert.equal((await balances(h, c.account.id)).posted, 5_000, 'the debit settled')
    refused(await send(funding.id, c.account.id, 1))
    // The window is 7 days: past the first money in, only the settled debit's 1,400 is left in it.
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 8 * 24 * 3600_000).toISOString())
    assert.equal((await send(funding.id, c.account.id, 3_600)).status, 200)
    refused(await send(funding.id, c.account.id, 1))
  })
})

describe('spend controls and payments at once', () => {
  it('limits money into an account by its held transfers too: each is counted once completed, and refused then', async () => {
    const sender = await funded(10_000)
    const sc = await spendControl(h, { amount_limit: 100, direction: 'CREDITS', ...window(7) })
    const receiver = await openAccount(h, { spend_control_ids: [sc.id] })
    const held = await Promise.all([send(sender.id, receiver.id, 100, { capture_mode: 'MANUAL' }), send(sender.id, receiver.id, 100, { capture_mode: 'MANUAL' })])
    for (const t of held) assert.equal(t.status, 200, JSON.stringify(t.body))
    const complete = (id: string) => h.request('PATCH', `/v0/transactions/internal_transfer/${id}`, { body: { status: 'COMPLETE' } })
    assert.equal((await complete(held[0].body.id)).status, 200)
    refused(await complete(held[1].body.id))
    refused(await send(sender.id, receiver.id, 1))
    assert.equal((await balances(h, receiver.id)).posted, 100)
    assert.equal((await h.request('PATCH', `/v0/transactions/internal_transfer/${held[1].body.id}`, { body: { status: 'CANCELED' } })).status, 200)
  })

  it('decides a transfer that waited for an account while its control was detached, on the control as it is after', async () => {
    const { account, funding } = await controlledAccount({ amount_limit: 50 })
    let sent!: Promise<{ status: number; body: any }>
    await h.sql.begin(async (tx) => {
      // What an account's PATCH does: its ledger row locked, then the account changed (the gate's trigger).
      await tx`select 1 from ledger_accounts where id = ${account.id} for update`
      await tx`update accounts set fields = jsonb_set(fields, '{spend_control_ids}', '[]') where id = ${account.id}`
      sent = send(account.id, funding.id, 100)
      await untilLockWaiters(h.sql, 1, 'transactionid')
    })
    const res = await sent
    assert.equal(res.status, 200, JSON.stringify(res.body))
  })

  it('never leaves an account with a control\'s old terms when the control changes as the account names it', async () => {
    const account = await funded(10_000)
    const funding = await fundingAccount(h)
    const sc = await spendControl(h, { amount_limit: 100, is_active: false })
    let attached!: Promise<void>
    await h.sql.begin(async (tx) => {
      await tx`update spend_controls set is_active = true where id = ${sc.id}` // what PATCH /v0/spend_controls does
      attached = attach(account.id, [sc.id])
      await untilLockWaiters(h.sql, 1, 'advisory')
    })
    await attached
    refused(await send(account.id, funding.id, 5_000))
  })

  it('detaches and attaches a control while transfers run: every one answered, none 500', async () => {
    const account = await funded(1_000_000)
    const funding = await fundingAccount(h)
    const sc = await spendControl(h, { amount_limit: 5_000 })
    const statuses: number[] = []
    for (let round = 0; round < 10; round++) {
      await attach(account.id, [sc.id])
      const detach = h.request('PATCH', `/v0/accounts/${account.id}`, { body: { account_type: 'CHECKING', spend_control_ids: [] } })
      for (const r of await Promise.all(Array.from({ length: 4 }, () => send(account.id, funding.id, 1)))) statuses.push(r.status)
      assert.equal((await detach).status, 200)
    }
    assert.deepEqual([...new Set(statuses)], [200])
  })

  it('does not count money moving back as spending: a settled ACH debit returned', async () => {
    const c = await customer(h, 10_000)
    const sc = await spendControl(h, { amount_limit: 1_000, ...window(7) })
    await attach(c.account.id, [sc.id])
    const clock = await h.request('GET', '/v0/sandbox/clock')
    const debit = await originate(h, c, { amount: 900, dc_sign: 'debit' })
    assert.equal(debit.status, 201, JSON.stringify(debit.body))
    await advanceTo(h, new Date(Date.parse(clock.body.now) + 4 * 24 * 3600_000).toISOString())
    assert.equal((await balances(h, c.account.id)).posted, 10_900, 'settled')
    const ret = await simulateReturn(h, { ach_id: debit.body.id, return_code: 'R01' })
    assert.equal(ret.status, 201, JSON.stringify(ret.body))
    assert.deepEqual(await balances(h, c.account.id), { posted: 10_000, available: 10_000 })
    assert.equal((await send(c.account.id, (await fundingAccount(h)).id, 1_000)).status, 200)
  })
})
