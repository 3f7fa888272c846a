// What the spec's list filters mean, where a reading of them found Keel taking a filter otherwise:
// products by their rates' dates and several ids, accounts by several spend controls or interest
// products, by a link under any of its names, by a holder's chosen name whatever its case, and by
// person and customer together; internal accounts sorted; spend controls with no direction among
// the debits; cards by a six-digit BIN, a whole emboss line and their user's postal code; transactions after from_date's day,
// and by dc_sign without an account (the primary line's sign).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { startHarness, type Harness } from './support/harness.js'
import { createTemplate, fundingAccount, openAccount, transfer } from './support/accounts.js'
import { createVerifiedPerson } from './support/parties.js'
import { holder, issue, products } from './cards/support.js'
import { authorize, fundedCard, simulate } from './card-authorization/support.js'

let h: Harness
before(async () => { h = await startHarness() })
after(async () => { await h.close() })

const ids = (items: { id: string }[]) => items.map((i) => i.id).sort()
async function list(key: string, path: string, field: string): Promise<any[]> {
  const res = await h.request('GET', path, { key })
  assert.equal(res.status, 200, `${path}: ${JSON.stringify(res.body)}`)
  return res.body[field]
}
async function made(key: string, path: string, body: unknown): Promise<any> {
  const res = await h.request('POST', path, { key, body })
  assert.ok(res.status === 200 || res.status === 201, `${path}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

describe('list filters as the spec words them', () => {
  it('finds interest products by their rates\' dates, and by several ids', async () => {
    const { key } = await h.newWorkspace('filters-products', 'sandbox')
    const product = (rates: { valid_from: string; valid_to?: string }[]) => made(key, '/v0/accounts/products', {
      product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: rates.map((r) => ({ ...r, rate: 100, accrual_period: 'DAILY' })),
    })
    const first = await product([{ valid_from: '2026-01-01', valid_to: '2026-06-30' }])
    const second = await product([{ valid_from: '2026-07-01', valid_to: '2026-12-31' }])
    const open = await product([{ valid_from: '2026-03-01' }])
    const interest = (q: string) => list(key, `/v0/accounts/products?product_type=INTEREST&${q}`, 'account_products').then(ids)
    // start_date: every rate valid from that day or later; end_date: every rate valid to that day or earlier.
    assert.deepEqual(await interest('start_date=2026-07-01'), ids([second]))
    assert.deepEqual(await interest('start_date=2026-07-02'), [])
    assert.deepEqual(await interest('start_date=2026-01-01'), ids([first, second, open]))
    assert.deepEqual(await interest('end_date=2026-06-30'), ids([first]))
    assert.deepEqual(await interest('end_date=2027-01-01'), ids([first, second]))
    assert.deepEqual(await interest('start_date=2026-02-01&end_date=2026-12-31'), ids([second]))
    assert.deepEqual(await interest(`id=${first.id},${open.id}`), ids([first, open]))
    assert.deepEqual(await interest(`id=${first.id}`), ids([first]))
    assert.deepEqual(await interest('id=not-a-product'), [])
  })

  it('finds accounts by several spend controls or interest products, by a link under any of its names, and by holders', async () => {
    const { key } = await h.newWorkspace('filters-accounts', 'sandbox')
    const control = (name: string) => made(key, '/v0/spend_controls', { name, is_active: true, action_case: false, action_decline: true, amount_limit: 10_000, time_range: { time_range_type: 'SINGLE_TRANSACTION' } })
    const [c1, c2] = [await control('one'), await control('two')]
    const interest = () => made(key, '/v0/accounts/products', { product_type: 'INTEREST', calculation_method: 'COMPOUNDED_DAILY', accrual_payout_schedule: 'MONTHLY', rates: [{ rate: 100, accrual_period: 'DAILY', valid_from: '2026-01-01' }] })
    const [i1, i2] = [await interest(), await interest()]
    const backing = await openAccount(h, {}, key)
    const a1 = await openAccount(h, { spend_control_ids: [c1.id], interest_product_id: i1.id, balance_floor: { balance: 0, linked_account_id: backing.id } }, key)
    const a2 = await openAccount(h, { spend_control_ids: [c2.id], interest_product_id: i2.id, balance_ceiling: { balance: 1_000_000, overflow_account_id: backing.id } }, key)
    const a3 = await openAccount(h, { balance_floor: { balance: 0, overdraft_account_id: a1.id } }, key)
    const accounts = (q: string) => list(key, `/v0/accounts?${q}`, 'accounts').then(ids)
    assert.deepEqual(await accounts(`spend_control_ids=${c1.id},${c2.id}`), ids([a1, a2]))
    assert.deepEqual(await accounts(`interest_product_id=${i1.id},${i2.id}`), ids([a1, a2]))
    assert.deepEqual(await accounts(`interest_product_id=${i2.id}`), ids([a2]))
    // A floor's link and its alias overdraft_account_id are one link; a ceiling's and overflow_account_id too.
    assert.deepEqual(await accounts(`linked_account_id=${backing.id}`), ids([a1, a2]))
    assert.deepEqual(await accounts(`linked_account_id=${a1.id}`), ids([a3]))
    assert.deepEqual(await accounts(`overdraft_account_id=${backing.id}`), ids([a1]))
    assert.deepEqual(await accounts(`overflow_account_id=${backing.id}`), ids([a2]))

    // Holders: a first name matches a chosen name too, case aside; person_id and customer_id together ask for both.
    const template = await createTemplate(h, {}, key)
    const [ada, bob] = [await createVerifiedPerson(h, { first_name: 'Ada', last_name: 'Lovelace' }, key), await createVerifiedPerson(h, { first_name: 'Bob', last_name: 'Babbage' }, key)]
    assert.equal((await h.request('PATCH', `/v0/persons/${ada.id}`, { key, body: { chosen_name: 'Addie' } })).status, 200)
    const open = (people: string[]) => made(key, '/v0/accounts', { account_template_id: template.id, relationships: people.map((id, i) => ({ relationship_type: i === 0 ? 'PRIMARY_ACCOUNT_HOLDER' : 'JOINT_ACCOUNT_HOLDER', customer_id: id })) })
    const [adas, bobs, joint] = [await open([ada.id]), await open([bob.id]), await open([ada.id, bob.id])]
    assert.deepEqual(await accounts('first_name=Addie'), ids([adas, joint]))
    assert.deepEqual(await accounts('first_name=ada'), ids([adas, joint]))
    assert.deepEqual(await accounts('last_name=babb*'), ids([bobs, joint]))
    assert.deepEqual(await accounts(`person_id=${ada.id}&customer_id=${bob.id}`), ids([joint]))
    assert.deepEqual(await accounts(`person_id=${ada.id}`), ids([adas, joint]))
  })

  it('sorts internal accounts by sort_by, paging through each exactly once, and refuses a field it cannot sort by', async () => {
    const { key } = await h.newWorkspace('filters-internal', 'sandbox')
    for (const description of ['Zeta reserve', 'Alpha reserve', 'Mid reserve']) await made(key, '/v0/internal_accounts', { account_type: 'ACH_SETTLEMENT', currency: 'USD', description, gl_type: 'ASSET', purpose: 'CORE', is_system_acc: false, status: 'ACTIVE' })
    const all = await list(key, '/v0/internal_accounts', 'internal_accounts')
    const byDescription = (descending: boolean) => [...all].sort((a, b) => (a.description === b.description ? (a.id < b.id ? -1 : 1) : (a.description < b.description) !== descending ? -1 : 1)).map((a) => a.id)
    for (const descending of [false, true]) {
      const sortBy = `description:${descending ? 'desc' : 'asc'},id:asc`
      assert.deepEqual((await list(key, `/v0/internal_accounts?sort_by=${sortBy}`, 'internal_accounts')).map((a) => a.id), byDescription(descending))
      const seen: string[] = []
      let token = ''
      do {
        const res = await h.request('GET', `/v0/internal_accounts?sort_by=${sortBy}&limit=2${token ? `&page_token=${token}` : ''}`, { key })
        assert.equal(res.status, 200, JSON.stringify(res.body))
        seen.push(...res.body.internal_accounts.map((a: any) => a.id))
        token = res.body.next_page_token ?? ''
      } while (token)
      assert.deepEqual(seen, byDescription(descending))
    }
    const refused = await h.request('GET', '/v0/internal_accounts?sort_by=colour:asc', { key })
    assert.equal(refused.status, 400, JSON.stringify(refused.body))
    assert.equal(refused.body.code, 'BAD_QUERY_PARAMETER')
  })

  it('counts a spend control with no direction among the debits', async () => {
    const { key } = await h.newWorkspace('filters-controls', 'sandbox')
    const control = (direction?: string) => made(key, '/v0/spend_controls', { name: direction ?? 'none', is_active: true, action_case: false, action_decline: true, amount_limit: 10_000, time_range: { time_range_type: 'SINGLE_TRANSACTION' }, ...(direction ? { direction } : {}) })
    const [none, debits, credits] = [await control(), await control('DEBITS'), await control('CREDITS')]
    assert.deepEqual(await list(key, '/v0/spend_controls?direction=DEBITS', 'spend_controls').then(ids), ids([none, debits]))
    assert.deepEqual(await list(key, '/v0/spend_controls?direction=CREDITS', 'spend_controls').then(ids), ids([credits]))
  })

  it('finds cards by the first six or eight digits of their PAN, and by a whole emboss line', async () => {
    const { key } = await h.newWorkspace('filters-cards', 'sandbox')
    const catalogue = await products(h, key)
    const who = await holder(h, key)
    const visa = await issue(h, who, catalogue.virtual, { emboss_name: { line_1: 'Ada Lovelace' } }, key)
    const mastercard = await issue(h, who, catalogue.prepaid, { emboss_name: { line_1: 'Ada L' } }, key)
    const cards = (q: string) => list(key, `/v0/cards?${q}`, 'cards').then(ids)
    assert.deepEqual(await cards(`bin_prefix=${visa.bin.slice(0, 6)}`), ids([visa]))
    assert.deepEqual(await cards(`bin_prefix=${visa.bin}`), ids([visa]))
    assert.deepEqual(await cards(`bin_prefix=${mastercard.bin.slice(0, 6)}`), ids([mastercard]))
    assert.deepEqual(await cards('emboss_name=ada%20l'), ids([mastercard]))
    assert.deepEqual(await cards('emboss_name=Ada*'), ids([visa, mastercard]))
    assert.deepEqual(await cards('emboss_name=%25'), [])
    // A card user's postal code: a virtual card ships nowhere, so its holder's address answers.
    const elsewhere = await holder(h, key)
    const moved = await h.request('PATCH', `/v0/persons/${elsewhere.person.id}`, { key, body: { legal_address: { ...elsewhere.person.legal_address, postal_code: '49633' } } })
    assert.equal(moved.status, 200, JSON.stringify(moved.body))
    const theirs = await issue(h, elsewhere, catalogue.virtual, {}, key)
    assert.deepEqual(await cards('postal_code=49633'), ids([theirs]))
    assert.deepEqual(await cards(`postal_code=${who.person.legal_address.postal_code}`), ids([visa, mastercard]))
    assert.deepEqual(await cards('postal_code=00000'), [])
  })

  it('finds posted transactions by dc_sign without an account: the sign of each one\'s primary line', async () => {
    const { key } = await h.newWorkspace('filters-dc-sign', 'sandbox')
    // An internal transfer (its primary line debits the funding account), a card purchase and its refund (crediting the card's account).
    const { card } = await fundedCard(h, 1_000, { key })
    const auth = await authorize(h, card.id, 300, {}, key)
    assert.equal(auth.status, 201, JSON.stringify(auth.body))
    const cleared = await simulate(h, 'clearing', { original_transaction_id: auth.body.transaction.token, amount: 300 }, key)
    assert.ok(cleared.status < 300, JSON.stringify(cleared.body))
    const refunded = await simulate(h, 'clearing', { original_transaction_id: auth.body.transaction.token, amount: 100, is_refund: true }, key)
    assert.ok(refunded.status < 300, JSON.stringify(refunded.body))
    const primarySign = (t: any) => t.data.lines.find((l: any) => l.is_primary).dc_sign
    const all = await list(key, '/v0/transactions/posted', 'result')
    const bySign = { debit: await list(key, '/v0/transactions/posted?dc_sign=debit', 'result'), credit: await list(key, '/v0/transactions/posted?dc_sign=credit', 'result') }
    for (const [sign, found] of Object.entries(bySign)) {
      assert.ok(found.length > 0, sign)
      assert.deepEqual(found.map(primarySign), found.map(() => sign))
    }
    assert.deepEqual([...bySign.debit, ...bySign.credit].map((t) => t.uuid).sort(), all.map((t) => t.uuid).sort())
  })

  it('lists transactions posted or held after from_date\'s day, through to_date\'s', async () => {
    const { id, key } = await h.newWorkspace('filters-transactions', 'sandbox')
    const account = await openAccount(h, {}, key)
    const funding = await fundingAccount(h, key)
    assert.equal((await transfer(h, { amount: 500, originating_account_id: funding.id, receiving_account_id: account.id }, { key })).status, 200)
    assert.equal((await transfer(h, { amount: 200, capture_mode: 'MANUAL', originating_account_id: funding.id, receiving_account_id: account.id }, { key })).status, 200)
    const today = h.services.clock.now(id).toISOString().slice(0, 10)
    const yesterday = new Date(Date.parse(today) - 86_400_000).toISOString().slice(0, 10)
    // The funding account's: the transfer posted, and the hold it keeps (everything of today).
    for (const state of ['posted', 'pending']) {
      const count = async (q: string) => (await list(key, `/v0/transactions/${state}?account_id=${funding.id}${q}`, 'result')).length
      const all = await count('')
      assert.ok(all >= 1, state)
      assert.equal(await count(`&from_date=${yesterday}`), all, state)
      assert.equal(await count(`&from_date=${today}`), 0, state)
      assert.equal(await count(`&to_date=${today}`), all, state)
      assert.equal(await count(`&to_date=${yesterday}`), 0, state)
    }
  })
})
